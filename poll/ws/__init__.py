"""Websockets: the endpoint (`endpoint`), one client's `connection`, the messages clients send
(`messages`), a lighter uvicorn protocol for thousands of idle phones (`protocol`), and when to
freeze the garbage collector as connections grow (`gc_policy`)."""
