-- Change capture once a statement, not once a row. The row trigger ran a PL/pgSQL call and a
-- one-row INSERT through SPI for every row written: 13 us a row over a plain insert (measured: a
-- 1,000-row INSERT ... SELECT into a synced table, 20 against 7 us a row), most of what a synced
-- table's writes cost on top of the write itself (an ingestion load writes 1,000,000). Statement
-- triggers with transition tables write the statement's rows into the log in one INSERT ... SELECT
-- (9-14 us a row), in the same transaction and the same order as before. Transition tables allow one
-- event a trigger, so each synced table has two: `<table>_sync_inserts` and `<table>_sync_updates`
-- (the generator's names, kernel/model table-plan.ts). An INSERT ... ON CONFLICT DO UPDATE fills both.
-- Updates join old and new rows on the primary key (tenant_id, id): ids never change.
CREATE FUNCTION tenantry_sync_capture_inserts() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  INSERT INTO sync_changes (tenant_id, entity_table, record_id, version)
    SELECT n.tenant_id, TG_TABLE_NAME, n.id, n.version FROM new_rows n;
  RETURN NULL;
END
$$;

-- Its arguments name the columns whose old values are kept (what row conditions compare: was the
-- row in a reader's scope before?).
CREATE FUNCTION tenantry_sync_capture_updates() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  IF TG_NARGS = 0 THEN
    INSERT INTO sync_changes (tenant_id, entity_table, record_id, version)
      SELECT n.tenant_id, TG_TABLE_NAME, n.id, n.version FROM new_rows n;
  ELSE
    INSERT INTO sync_changes (tenant_id, entity_table, record_id, version, previous)
      SELECT n.tenant_id, TG_TABLE_NAME, n.id, n.version,
             (SELECT jsonb_object_agg(entry.key, entry.value) FROM jsonb_each(to_jsonb(o)) AS entry WHERE entry.key = ANY (TG_ARGV))
      FROM new_rows n JOIN old_rows o ON o.tenant_id = n.tenant_id AND o.id = n.id;
  END IF;
  RETURN NULL;
END
$$;

-- Every table with the row trigger gets the two statement triggers instead, with its arguments. The
-- names follow constraintName (kernel/model): past 63 bytes, 54 of them and a hash of the whole.
DO $$
DECLARE
  t record;
  base text;
  args text;
  name text;
BEGIN
  FOR t IN
    SELECT tg.tgname, c.relname, n.nspname, encode(tg.tgargs, 'escape') AS raw_args
    FROM pg_trigger tg
    JOIN pg_class c ON c.oid = tg.tgrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE tg.tgfoid = 'tenantry_sync_capture()'::regprocedure AND NOT tg.tgisinternal
  LOOP
    SELECT coalesce(string_agg(quote_literal(arg), ', ' ORDER BY position), '') INTO args
      FROM unnest(string_to_array(t.raw_args, '\000')) WITH ORDINALITY AS a (arg, position) WHERE arg <> '';
    EXECUTE format('DROP TRIGGER %I ON %I.%I', t.tgname, t.nspname, t.relname);
    FOREACH base IN ARRAY ARRAY['sync_inserts', 'sync_updates'] LOOP
      name := t.relname || '_' || base;
      IF octet_length(name) > 63 THEN
        name := left(name, 54) || '_' || left(encode(sha256(convert_to(name, 'UTF8')), 'hex'), 8);
      END IF;
      IF base = 'sync_inserts' THEN
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I.%I REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tenantry_sync_capture_inserts()', name, t.nspname, t.relname);
      ELSE
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I.%I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tenantry_sync_capture_updates(%s)', name, t.nspname, t.relname, args);
      END IF;
    END LOOP;
  END LOOP;
END
$$;

-- The row function stays for migrations written before this one that a database has yet to run
-- (migrations run unordered: a module added later may carry older ones); the generator no longer
-- writes it.

-- No foreign key from the log to tenants: each change row comes from a row of a synced table in the
-- same statement, and that row's own key to tenants was checked (a second check cost 5 us a row).
-- Deleting a tenant deletes its log rows with every other table's (kernel/tenancy).
ALTER TABLE sync_changes DROP CONSTRAINT sync_changes_tenant_id_fkey;
