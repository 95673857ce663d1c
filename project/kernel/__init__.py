"""The shared kernel: plumbing every department and the portal may import, and that imports none
of them, nor the composition root around it (see docs/architecture.md).

- between departments: `ports` (the Directory protocol, adapters' common parts, the port error),
  `http` (outbound calls), `deadlines` (timeout budgets across hops);
- around every request: `request_id`, `health`, `errors`, `throttling`;
- REST: `rest` (pagination, errors, strict fields), `records` (the code + name record API),
  `v1` (the compatibility API), `permissions`, `openapi`, `paginator`;
- data: `fields`, `persistence`, `queries`, `access` (department groups), `admin`,
  `reference_data`.
"""
