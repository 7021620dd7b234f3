-- Failed logins are counted at each login (too many make the login wait): found without
-- reading the whole audit log.
CREATE INDEX audit_log_login_failures ON audit_log (at) WHERE action = 'user.login_failed';
