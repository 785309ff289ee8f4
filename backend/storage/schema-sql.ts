/**
 * The `storage` schema as Supabase has it (tables storage.buckets and storage.objects with their
 * columns, the path helpers storage.foldername(), storage.filename(), storage.extension()), so
 * policies and queries written for Supabase run unchanged. Row-level security is on for both
 * tables and the request roles hold table privileges, as in Supabase: policies decide.
 *
 * Run by provisioning as a superuser (or the owner) on the project's database; idempotent.
 * The tables belong to the project's owner role, so DevFlow's own bookkeeping on the owner's
 * pool (public downloads, signed URLs, bucket limits) is not filtered by the user's policies.
 */
import { quoteIdent, REQUEST_ROLES } from '../provision-sql.js';

export function storageSchemaSql(owner: string): string[] {
  const o = quoteIdent(owner);
  const roles = REQUEST_ROLES.join(', ');
  return [
    `CREATE SCHEMA IF NOT EXISTS storage AUTHORIZATION ${o}`,
    `GRANT USAGE ON SCHEMA storage TO ${roles}`,
    `CREATE TABLE IF NOT EXISTS storage.buckets (
      id text PRIMARY KEY,
      name text NOT NULL,
      owner uuid,
      owner_id text,
      public boolean NOT NULL DEFAULT false,
      avif_autodetection boolean DEFAULT false,
      file_size_limit bigint,
      allowed_mime_types text[],
      type text NOT NULL DEFAULT 'STANDARD',
      created_at timestamptz DEFAULT now(),
      updated_at timestamptz DEFAULT now())`,
    `CREATE UNIQUE INDEX IF NOT EXISTS bname ON storage.buckets (name)`,
    `CREATE TABLE IF NOT EXISTS storage.objects (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      bucket_id text REFERENCES storage.buckets (id),
      name text,
      owner uuid,
      owner_id text,
      created_at timestamptz DEFAULT now(),
      updated_at timestamptz DEFAULT now(),
      last_accessed_at timestamptz DEFAULT now(),
      metadata jsonb,
      path_tokens text[] GENERATED ALWAYS AS (string_to_array(name, '/')) STORED,
      version text,
      user_metadata jsonb)`,
    `CREATE UNIQUE INDEX IF NOT EXISTS bucketid_objname ON storage.objects (bucket_id, name)`,
    `CREATE INDEX IF NOT EXISTS name_prefix_search ON storage.objects (name text_pattern_ops)`,
    `ALTER TABLE storage.buckets OWNER TO ${o}`,
    `ALTER TABLE storage.objects OWNER TO ${o}`,
    `ALTER TABLE storage.buckets ENABLE ROW LEVEL SECURITY`,
    `ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY`,
    `GRANT ALL ON storage.buckets, storage.objects TO ${roles}`,
    // The folders of a key, without its file name: 'u1/pics/me.png' → {u1,pics}.
    `CREATE OR REPLACE FUNCTION storage.foldername(name text) RETURNS text[]
      LANGUAGE sql IMMUTABLE AS $$
        SELECT (string_to_array(name, '/'))[1:cardinality(string_to_array(name, '/')) - 1] $$`,
    // The last segment: 'u1/pics/me.png' → 'me.png'.
    `CREATE OR REPLACE FUNCTION storage.filename(name text) RETURNS text
      LANGUAGE sql IMMUTABLE AS $$
        SELECT (string_to_array(name, '/'))[cardinality(string_to_array(name, '/'))] $$`,
    // What follows the file name's last dot: 'u1/me.tar.gz' → 'gz' (the whole name when it has none).
    `CREATE OR REPLACE FUNCTION storage.extension(name text) RETURNS text
      LANGUAGE sql IMMUTABLE AS $$
        SELECT reverse(split_part(reverse(storage.filename(name)), '.', 1)) $$`,
    `ALTER FUNCTION storage.foldername(text) OWNER TO ${o}`,
    `ALTER FUNCTION storage.filename(text) OWNER TO ${o}`,
    `ALTER FUNCTION storage.extension(text) OWNER TO ${o}`,
    `GRANT EXECUTE ON FUNCTION storage.foldername(text), storage.filename(text), storage.extension(text) TO ${roles}`,
  ];
}
