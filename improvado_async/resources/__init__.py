"""One service class per API area, exposed as attributes of the client (``client.loads``...)."""
