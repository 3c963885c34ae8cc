-- What each device last ran: the app version, its replica schema and its protocol (for admins,
-- and for deciding when the previous protocol can be retired).
ALTER TABLE devices ADD COLUMN app_version text NULL;
ALTER TABLE devices ADD COLUMN schema_version integer NULL;
ALTER TABLE devices ADD COLUMN protocol integer NULL;
