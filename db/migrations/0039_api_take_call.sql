-- One API call's limits (docs/architecture.md §14, lib/api/limits.ts): whether the caller's key
-- is still live, the customer's plan and overrides, the month's calls against the limit and its
-- soft margin, a token from each bucket, the call counted. One statement, in a function so that
-- each session plans it once (planning the statement anew cost more than running it), committed
-- without waiting for its WAL to reach the disk (the flush was most of a call's cost; a crash
-- may lose the last calls' tokens and counts, which is no one's loss).
CREATE FUNCTION control.take_call(
  p_tenant text,
  p_buckets jsonb,
  p_month text,
  p_platform_rate integer,
  p_key uuid,
  p_blocked jsonb,
  p_touch_every interval
) RETURNS TABLE (key_refused text, used bigint, monthly bigint, margin integer, buckets json)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
  -- A call's token and count need not wait for the disk: after a crash the buckets start full
  -- and the month's count may miss the last calls, which is no one's loss.
  PERFORM set_config('synchronous_commit', 'off', true);
  RETURN QUERY
  WITH key AS (
    SELECT CASE
             WHEN k.id IS NULL THEN 'unknown'
             WHEN k.revoked_at IS NOT NULL THEN 'revoked'
             WHEN k.expires_at IS NOT NULL AND k.expires_at <= now() THEN 'expired'
             WHEN k.tenant_id IS NOT NULL AND (c.status IS NULL OR c.status IN
               (SELECT jsonb_array_elements_text(p_blocked))) THEN 'customer-inactive'
           END AS refused
      FROM (SELECT p_key AS id) want
      LEFT JOIN control.api_keys k ON k.id = want.id
      LEFT JOIN control.customers c ON c.id = k.tenant_id
     WHERE want.id IS NOT NULL
  ),
  live AS (SELECT NOT EXISTS (SELECT 1 FROM key WHERE key.refused IS NOT NULL) AS ok),
  touch AS (
    UPDATE control.api_keys k SET last_used_at = now()
     WHERE k.id = p_key AND (SELECT live.ok FROM live)
       AND (k.last_used_at IS NULL OR k.last_used_at < now() - p_touch_every)
    RETURNING 1
  ),
  lim AS (
    SELECT p.rate_limit_per_minute AS per_min,
           coalesce((c.quota_overrides ->> 'maxApiCallsMonth')::bigint, p.max_api_calls_month) AS monthly,
           p.api_calls_soft_margin_percent AS margin
      FROM control.customers c JOIN control.plans p ON p.name = c.plan
     WHERE c.id = p_tenant
    UNION ALL
    SELECT p_platform_rate, NULL::bigint, 0 WHERE p_tenant IS NULL
  ),
  q AS (
    SELECT coalesce((SELECT a.calls FROM control.api_calls a
                      WHERE a.tenant_id = p_tenant AND a.month = p_month), 0) AS used,
           lim.per_min, lim.monthly, lim.margin
      FROM lim
  ),
  b AS (
    INSERT INTO control.rate_buckets AS r (key, capacity, per_second, tokens, updated_at, allowed)
    SELECT k, q.per_min, q.per_min / 60.0, q.per_min - 1, clock_timestamp(), true
      FROM q, jsonb_array_elements_text(p_buckets) AS k
     WHERE (SELECT live.ok FROM live)
       AND (q.monthly IS NULL OR q.used < q.monthly * (100 + q.margin) / 100.0)
    ON CONFLICT (key) DO UPDATE SET
      capacity = excluded.capacity,
      per_second = excluded.per_second,
      tokens = least(excluded.capacity::float8, r.tokens + extract(epoch FROM clock_timestamp() - r.updated_at) * excluded.per_second)
               - CASE WHEN least(excluded.capacity::float8, r.tokens + extract(epoch FROM clock_timestamp() - r.updated_at) * excluded.per_second) >= 1 THEN 1 ELSE 0 END,
      allowed = least(excluded.capacity::float8, r.tokens + extract(epoch FROM clock_timestamp() - r.updated_at) * excluded.per_second) >= 1,
      updated_at = clock_timestamp()
    RETURNING r.key, r.tokens, r.allowed, r.capacity, r.per_second
  ),
  counted AS (
    INSERT INTO control.api_calls AS a (tenant_id, month, calls)
    SELECT p_tenant, p_month, 1
     WHERE p_tenant IS NOT NULL AND (SELECT bool_and(b.allowed) FROM b)
    ON CONFLICT (tenant_id, month) DO UPDATE SET calls = a.calls + 1
    RETURNING a.calls
  )
  SELECT (SELECT key.refused FROM key), (SELECT q.used FROM q)::bigint, (SELECT q.monthly FROM q),
         (SELECT q.margin FROM q), (SELECT json_agg(b) FROM b)
    FROM (SELECT count(*) FROM counted) AS done;
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION control.take_call(text, jsonb, text, integer, uuid, jsonb, interval) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION control.take_call(text, jsonb, text, integer, uuid, jsonb, interval) TO tenantry_platform;
