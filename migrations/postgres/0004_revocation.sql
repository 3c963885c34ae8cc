-- An administrator can revoke a device (a lost laptop): its token stops working and the app,
-- told so, erases its copy of the company's data.
ALTER TABLE devices ADD COLUMN revoked_at timestamptz NULL;
