-- Desktop app releases, served to devices by the updater endpoint. An artifact is the signed
-- update bundle of one platform (`linux-x86_64`, `linux-x86_64-deb`, `windows-x86_64-nsis`, ...).
CREATE TABLE releases (
    version      TEXT PRIMARY KEY,
    notes        TEXT NOT NULL,
    -- Percentage of devices offered this release, chosen by a stable hash of the device id.
    rollout      SMALLINT NOT NULL CHECK (rollout BETWEEN 0 AND 100),
    published_at TIMESTAMPTZ NOT NULL,
    published_by TEXT NOT NULL
);

CREATE TABLE release_artifacts (
    version   TEXT NOT NULL REFERENCES releases (version) ON DELETE CASCADE,
    platform  TEXT NOT NULL,
    file_name TEXT NOT NULL,
    -- The minisign signature as `tauri signer sign` writes it (base64 of the .sig text).
    signature TEXT NOT NULL,
    sha256    TEXT NOT NULL,
    bytes     BYTEA NOT NULL,
    PRIMARY KEY (version, platform)
);
