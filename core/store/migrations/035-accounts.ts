/**
 * Issue 19, accounts (accounts/README.md): people, teams, memberships with a role, sessions,
 * invitations, and an append-only audit log. Existing installs upgrade in place: a team named
 * `default` (id 1) is made and every existing app belongs to it; tokens that name no person and
 * no team keep today's meaning (the whole instance: the admin token is the owner's). Previews
 * take their parent's team, so a preview is never visible to a team its parent is not.
 * The audit log is partitioned by month so that retention drops whole partitions: the code has
 * no UPDATE or DELETE path, and a trigger refuses both.
 */
import type { Migration } from './migration.js';

export const m035: Migration = {
  version: 35,
  name: 'accounts: people, teams, roles, sessions, audit log',
  sql: `
      CREATE TABLE teams (
        id serial PRIMARY KEY,
        name text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      INSERT INTO teams (id, name) VALUES (1, 'default');
      SELECT setval(pg_get_serial_sequence('teams', 'id'), 1);

      CREATE TABLE people (
        id serial PRIMARY KEY,
        email text NOT NULL UNIQUE CHECK (email = lower(email)),
        password_hash text NOT NULL,
        operator boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE memberships (
        team_id integer NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
        person_id integer NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        role text NOT NULL CHECK (role IN ('owner', 'admin', 'developer', 'viewer')),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (team_id, person_id)
      );
      CREATE INDEX memberships_person_idx ON memberships (person_id);

      ALTER TABLE apps ADD COLUMN team_id integer NOT NULL DEFAULT 1 REFERENCES teams(id);
      CREATE INDEX apps_team_idx ON apps (team_id, name);
      CREATE FUNCTION apps_preview_team() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.parent_id IS NOT NULL THEN
          SELECT team_id INTO NEW.team_id FROM apps WHERE id = NEW.parent_id;
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER apps_preview_team BEFORE INSERT ON apps FOR EACH ROW EXECUTE FUNCTION apps_preview_team();

      ALTER TABLE tokens ADD COLUMN person_id integer REFERENCES people(id) ON DELETE CASCADE;
      ALTER TABLE tokens ADD COLUMN team_id integer REFERENCES teams(id) ON DELETE CASCADE;
      ALTER TABLE tokens ADD COLUMN app_ids integer[];

      CREATE TABLE sessions (
        id bigserial PRIMARY KEY,
        person_id integer NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        access_hash text NOT NULL UNIQUE,
        access_expires_at timestamptz NOT NULL,
        refresh_hash text NOT NULL UNIQUE,
        refresh_expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX sessions_person_idx ON sessions (person_id);

      CREATE TABLE invitations (
        id serial PRIMARY KEY,
        team_id integer NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
        email text NOT NULL,
        role text NOT NULL CHECK (role IN ('owner', 'admin', 'developer', 'viewer')),
        code_hash text NOT NULL UNIQUE,
        invited_by integer REFERENCES people(id) ON DELETE SET NULL,
        expires_at timestamptz NOT NULL,
        accepted_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE audit_log (
        id bigserial,
        at timestamptz NOT NULL DEFAULT now(),
        actor text NOT NULL,
        team text,
        app text,
        action text NOT NULL,
        target text,
        source_ip text,
        request_id text,
        PRIMARY KEY (id, at)
      ) PARTITION BY RANGE (at);
      CREATE TABLE audit_log_default PARTITION OF audit_log DEFAULT;
      CREATE INDEX audit_log_team_idx ON audit_log (team, at);
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the audit log is append-only: retention drops whole partitions';
      END $$;
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
    `,
};
