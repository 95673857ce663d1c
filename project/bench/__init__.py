"""Development tools: the topology comparison, the bounded load, profiling, and the split topology
on loopback (`make split`). They may import anything; nothing in the product imports them, and
the image leaves them out (deploy/Dockerfile, .dockerignore)."""
