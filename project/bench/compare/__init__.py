"""Monolith or microservices, measured side by side on loopback: `manage.py compare_topologies`.

`run` starts the processes, loads the data and drives the load (`load`), `report` writes the
table, JSON and chart. Department code runs only in the services' own processes (`remote`)."""
