"""Users, logins (bearer tokens and the web session cookie), roles and the audit log."""
