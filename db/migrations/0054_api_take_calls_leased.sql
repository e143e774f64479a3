-- The API's limits taken a lease at a time (docs/architecture.md §14, lib/api/limits.ts): an app
-- instance asks for up to p_want tokens at once and lets that many calls through without asking
-- again, and reports the calls it let through since it last asked (p_served), which are counted
-- in the month then. One call of this function replaces one statement per request
-- (control.take_call, dropped). It still asks whether the caller's key is live, notes its last use,
-- reads the plan with the customer's overrides and refuses past the month's calls plus the margin.
-- The buckets are locked in key order and all debited by what is granted: the least any of them
-- holds, up to p_want. p_want 0 only counts.
DROP FUNCTION control.take_call(text, jsonb, text, integer, uuid, jsonb, interval);
--> statement-breakpoint
CREATE FUNCTION control.take_calls(
  p_tenant text,
  p_buckets jsonb,
  p_month text,
  p_platform_rate integer,
  p_key uuid,
  p_blocked jsonb,
  p_touch_every interval,
  p_want integer,
  p_served integer
) RETURNS TABLE (key_refused text, used bigint, monthly bigint, margin integer, granted integer,
                 tokens double precision, capacity integer, per_second double precision)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_refused text;
  v_per_min integer;
  v_monthly bigint;
  v_margin integer;
  v_used bigint;
  v_keys text[] := ARRAY(SELECT jsonb_array_elements_text(p_buckets));
  v_avail double precision;
  v_granted integer := 0;
  v_tokens double precision;
BEGIN
  -- A lease's tokens and counts need not wait for the disk: after a crash the buckets start full
  -- and the month's count may miss the last calls, which is no one's loss.
  PERFORM set_config('synchronous_commit', 'off', true);
  IF p_served > 0 AND p_tenant IS NOT NULL THEN
    INSERT INTO control.api_calls AS a (tenant_id, month, calls) VALUES (p_tenant, p_month, p_served)
    ON CONFLICT (tenant_id, month) DO UPDATE SET calls = a.calls + excluded.calls;
  END IF;
  IF p_want <= 0 THEN
    RETURN;
  END IF;
  IF p_key IS NOT NULL THEN
    SELECT CASE
             WHEN k.id IS NULL THEN 'unknown'
             WHEN k.revoked_at IS NOT NULL THEN 'revoked'
             WHEN k.expires_at IS NOT NULL AND k.expires_at <= now() THEN 'expired'
             WHEN k.tenant_id IS NOT NULL AND (c.status IS NULL OR c.status IN
               (SELECT jsonb_array_elements_text(p_blocked))) THEN 'customer-inactive'
           END
      INTO v_refused
      FROM (SELECT p_key AS id) want
      LEFT JOIN control.api_keys k ON k.id = want.id
      LEFT JOIN control.customers c ON c.id = k.tenant_id;
    IF v_refused IS NOT NULL THEN
      RETURN QUERY SELECT v_refused, NULL::bigint, NULL::bigint, NULL::integer, 0,
                          NULL::double precision, NULL::integer, NULL::double precision;
      RETURN;
    END IF;
    UPDATE control.api_keys k SET last_used_at = now()
     WHERE k.id = p_key AND (k.last_used_at IS NULL OR k.last_used_at < now() - p_touch_every);
  END IF;
  IF p_tenant IS NULL THEN
    v_per_min := p_platform_rate;
    v_margin := 0;
  ELSE
    SELECT p.rate_limit_per_minute,
           coalesce((c.quota_overrides ->> 'maxApiCallsMonth')::bigint, p.max_api_calls_month),
           p.api_calls_soft_margin_percent
      INTO v_per_min, v_monthly, v_margin
      FROM control.customers c JOIN control.plans p ON p.name = c.plan
     WHERE c.id = p_tenant;
    IF NOT FOUND THEN
      -- No plan (an unknown customer): nothing is taken.
      RETURN QUERY SELECT NULL::text, 0::bigint, 0::bigint, 0, 0,
                          NULL::double precision, NULL::integer, NULL::double precision;
      RETURN;
    END IF;
    v_used := coalesce((SELECT a.calls FROM control.api_calls a
                         WHERE a.tenant_id = p_tenant AND a.month = p_month), 0);
    IF v_monthly IS NOT NULL AND v_used >= v_monthly * (100 + v_margin) / 100.0 THEN
      RETURN QUERY SELECT NULL::text, v_used, v_monthly, v_margin, 0,
                          NULL::double precision, v_per_min, v_per_min / 60.0::double precision;
      RETURN;
    END IF;
  END IF;
  INSERT INTO control.rate_buckets AS r (key, capacity, per_second, tokens, updated_at, allowed)
  SELECT k, v_per_min, v_per_min / 60.0, v_per_min, clock_timestamp(), true FROM unnest(v_keys) k
  ON CONFLICT (key) DO NOTHING;
  SELECT min(least(v_per_min::float8, b.tokens + extract(epoch FROM clock_timestamp() - b.updated_at) * (v_per_min / 60.0)))
    INTO v_avail
    FROM (SELECT r.tokens, r.updated_at FROM control.rate_buckets r
           WHERE r.key = ANY (v_keys) ORDER BY r.key FOR UPDATE) b;
  v_granted := greatest(0, least(p_want, floor(v_avail)::integer));
  -- Nor more than the month has left (with the margin).
  IF v_monthly IS NOT NULL THEN
    v_granted := least(v_granted::numeric, ceil(v_monthly * (100 + v_margin) / 100.0 - v_used))::integer;
  END IF;
  UPDATE control.rate_buckets r
     SET capacity = v_per_min,
         per_second = v_per_min / 60.0,
         tokens = least(v_per_min::float8, r.tokens + extract(epoch FROM clock_timestamp() - r.updated_at) * (v_per_min / 60.0)) - v_granted,
         allowed = v_granted > 0,
         updated_at = clock_timestamp()
   WHERE r.key = ANY (v_keys);
  RETURN QUERY SELECT NULL::text, v_used, v_monthly, v_margin, v_granted, v_avail - v_granted,
                      v_per_min, v_per_min / 60.0::double precision;
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION control.take_calls(text, jsonb, text, integer, uuid, jsonb, interval, integer, integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION control.take_calls(text, jsonb, text, integer, uuid, jsonb, interval, integer, integer) TO tenantry_platform;
