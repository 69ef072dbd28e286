"""The HTTP side: security headers and body limits (`hardening`), CSRF (`csrf`), sessions and the
participant cookie (`sessions`), rendering pages (`pages`), statuses for refusals (`statuses`),
the OpenAPI schema (`openapi`), and the views by audience (`views`)."""
