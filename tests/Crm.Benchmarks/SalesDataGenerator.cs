using System.Diagnostics;
using System.Globalization;
using Crm.Modules.Sales.Domain;
using Npgsql;

namespace Crm.Benchmarks;

internal sealed record SalesSeededData(int Opportunities, long StageChanges, int Activities, long Quotas, TimeSpan Elapsed);

/// <summary>
/// Deterministic sales history over the seeded customers and users, generated server-side (INSERT ... SELECT from
/// generate_series, every "random" choice a hash of the row number and the seed) into the Sales module's own tables:
/// opportunities on the default pipeline with stage history consistent with their stage, activities linked to them, and
/// a monthly quota per user. The history spans <see cref="DataStart"/> to <see cref="DataEnd"/>; planned activities
/// reach two months beyond.
/// </summary>
internal static class SalesDataGenerator
{
    public static readonly DateTimeOffset DataStart = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset DataEnd = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Activities are inserted in statements of this many rows, so the log shows progress and no statement holds 10M rows.</summary>
    private const int ActivityChunk = 1_000_000;

    // Where an opportunity's stage changes fall, as multiples of its pace: it enters open stage j at Offsets[j - 1] and
    // leaves it at Offsets[j], so stays grow through negotiation and contract signing is quick; 5.3 paces end the last one.
    private const string Offsets = "ARRAY[0, 1.0, 2.5, 4.5, 5.3]::float8[]";

    public static async Task<SalesSeededData> SeedAsync(NpgsqlDataSource db, int opportunities, int activities, int seed, TextWriter log, CancellationToken ct)
    {
        var started = Stopwatch.StartNew();
        var d = new Draws(seed);
        await using var connection = await db.OpenConnectionAsync(ct);

        // The population to draw from, numbered so a hash picks a row by equality: the generated reps (not the admin),
        // the active customers with their owner and the owner's team, and the default pipeline's stages by key.
        await ExecuteAsync(connection, ct, $"""
            CREATE TEMP TABLE bench_users AS
                SELECT row_number() OVER (ORDER BY u.email) AS n, u.id, u.team_id
                FROM identity.users u WHERE u.team_id IS NOT NULL AND u.email <> '{ApiHost.AdminEmail}';
            CREATE TEMP TABLE bench_customers AS
                SELECT row_number() OVER (ORDER BY c.id) AS n, c.id, c.owner_id, u.team_id
                FROM customers.customers c JOIN identity.users u ON u.id = c.owner_id
                WHERE c.status = 'Active';
            CREATE UNIQUE INDEX ON bench_users (n);
            CREATE UNIQUE INDEX ON bench_customers (n);
            CREATE TEMP TABLE bench_stages AS
                SELECT CASE s.kind WHEN 'Open' THEN s.position::text ELSE s.kind END AS key, s.id, s.probability
                FROM sales.pipeline_stages s WHERE s.pipeline_id = {Literal(Pipeline.DefaultId)};
            ANALYZE bench_users; ANALYZE bench_customers; ANALYZE bench_stages;
            """);
        var users = await ScalarAsync(connection, "SELECT count(*) FROM bench_users", ct);
        var customers = await ScalarAsync(connection, "SELECT count(*) FROM bench_customers", ct);

        // The plan of each opportunity: how far it got (many stop early), its outcome (wins only from contract signed),
        // its customer (and through it owner and team), when it was created and its pace through the stages (every change
        // happens before DataEnd), a log-uniform amount of 10,000 to 2,000,000, and a few deals in USD.
        await ExecuteAsync(connection, ct, $"""
            CREATE TEMP TABLE bench_opps AS
            WITH draws AS (
                SELECT g AS n, {d.R("g", 1)} AS r_customer, {d.R("g", 2)} AS r_reached, {d.R("g", 3)} AS r_outcome, {d.R("g", 4)} AS r_created,
                       {d.R("g", 5)} AS r_pace, {d.R("g", 6)} AS r_amount, {d.R("g", 7)} AS r_close, {d.R("g", 8)} AS r_currency, {d.R("g", 9)} AS r_reason
                FROM generate_series(1, {opportunities}) AS g
            ),
            shaped AS (
                SELECT d.*, 1 + floor(d.r_customer * {customers})::bigint AS customer_n,
                       CASE WHEN d.r_reached < 0.45 THEN 1 WHEN d.r_reached < 0.70 THEN 2 WHEN d.r_reached < 0.87 THEN 3 ELSE 4 END AS reached,
                       {Instant(DataStart)} + (d.r_created * 700 * 86400)::int * interval '1 second' AS created_at
                FROM draws d
            )
            SELECT s.n, {d.Id("s.n", 1)} AS id, c.id AS customer_id, c.owner_id, c.team_id, s.reached,
                   CASE WHEN s.reached = 4 AND s.r_outcome < 0.55 THEN 'Won'
                        WHEN s.reached = 4 AND s.r_outcome < 0.70 THEN 'Lost'
                        WHEN s.reached < 4 AND s.r_outcome < 0.30 THEN 'Lost'
                        ELSE 'Open' END AS status,
                   s.created_at,
                   ({Instant(DataEnd)} - s.created_at) * (0.15 + 0.85 * s.r_pace) / 5.3 AS pace,
                   round((10000 * exp(s.r_amount * ln(200)))::numeric, -2) AS amount,
                   CASE WHEN s.r_currency < 0.03 THEN 'USD' ELSE 'CNY' END AS currency,
                   (s.created_at + (30 + floor(s.r_close * 335)) * interval '1 day')::date AS expected_close_date,
                   (ARRAY['价格过高', '输给竞争对手', '预算取消', '需求变更'])[1 + floor(s.r_reason * 4)::int] AS lost_reason
            FROM shaped s JOIN bench_customers c ON c.n = s.customer_n;
            ALTER TABLE bench_opps ADD PRIMARY KEY (n);
            ANALYZE bench_opps;
            """);

        log.WriteLine($"  opportunities: {opportunities:N0}...");
        await ExecuteAsync(connection, ct, $"""
            INSERT INTO sales.opportunities (id, name, customer_id, pipeline_id, stage_id, status, amount, currency, probability,
                expected_close_date, owner_id, team_id, source, stage_entered_at, closed_at, lost_reason, created_at, updated_at)
            SELECT o.id, '商机 ' || lpad(o.n::text, 7, '0'), o.customer_id, {Literal(Pipeline.DefaultId)}, st.id, o.status, o.amount, o.currency, st.probability,
                   o.expected_close_date, o.owner_id, o.team_id, (ARRAY['官网', '展会', '客户推荐', '电话营销'])[(1 + o.n % 4)::int],
                   entered.at, CASE WHEN o.status <> 'Open' THEN entered.at END, CASE WHEN o.status = 'Lost' THEN o.lost_reason END,
                   o.created_at, entered.at
            FROM bench_opps o
            JOIN bench_stages st ON st.key = CASE o.status WHEN 'Open' THEN o.reached::text ELSE o.status END
            CROSS JOIN LATERAL (SELECT o.created_at + o.pace * ({Offsets})[CASE WHEN o.status = 'Open' THEN o.reached ELSE o.reached + 1 END] AS at) entered
            """);

        // One change per step: open stage j to j + 1 up to the furthest reached, then (if closed) to won or lost.
        log.WriteLine("  stage history...");
        await ExecuteAsync(connection, ct, $"""
            INSERT INTO sales.opportunity_stage_changes (id, opportunity_id, from_stage_id, to_stage_id, from_stage_entered_at, changed_at, changed_by)
            SELECT {d.Id("o.n * 8 + j", 2)}, o.id, f.id, t.id,
                   o.created_at + o.pace * ({Offsets})[j], o.created_at + o.pace * ({Offsets})[j + 1], o.owner_id
            FROM bench_opps o
            CROSS JOIN LATERAL generate_series(1, CASE WHEN o.status = 'Open' THEN o.reached - 1 ELSE o.reached END) AS j
            JOIN bench_stages f ON f.key = j::text
            JOIN bench_stages t ON t.key = CASE WHEN j < o.reached THEN (j + 1)::text ELSE o.status END
            """);

        // Calls, meetings, visits, tasks and a few e-mails over each opportunity's life (to its close, or two months past
        // DataEnd while open), on 15-minute slots; the past mostly completed, some cancelled or overdue; some with a colleague.
        for (var from = 1; from <= activities; from += ActivityChunk)
        {
            var to = Math.Min(activities, from + ActivityChunk - 1);
            log.WriteLine($"  activities {from:N0} to {to:N0}...");
            await ExecuteAsync(connection, ct, $"""
                WITH draws AS (
                    SELECT g AS n, {d.R("g", 21)} AS r_opp, {d.R("g", 22)} AS r_kind, {d.R("g", 23)} AS r_time, {d.R("g", 24)} AS r_length,
                           {d.R("g", 25)} AS r_status, {d.R("g", 26)} AS r_urgent, {d.R("g", 27)} AS r_important, {d.R("g", 28)} AS r_attendee
                    FROM generate_series({from}, {to}) AS g
                ),
                planned AS (
                    SELECT d.*, o.id AS opportunity_id, o.customer_id, o.owner_id, u.id AS colleague,
                           CASE WHEN d.r_kind < 0.35 THEN 'Call' WHEN d.r_kind < 0.55 THEN 'Meeting' WHEN d.r_kind < 0.75 THEN 'Visit'
                                WHEN d.r_kind < 0.95 THEN 'Task' ELSE 'Email' END AS kind,
                           date_bin(interval '15 minutes',
                                    o.created_at + d.r_time * (CASE WHEN o.status = 'Open' THEN {Instant(DataEnd)} + interval '60 days' ELSE o.created_at + o.pace * ({Offsets})[o.reached + 1] END - o.created_at),
                                    {Instant(DataStart)}) AS start_at
                    FROM draws d
                    JOIN bench_opps o ON o.n = 1 + floor(d.r_opp * {opportunities})::bigint
                    LEFT JOIN bench_users u ON d.r_attendee < 0.15 AND u.n = 1 + floor(d.r_attendee / 0.15 * {users})::bigint
                ),
                timed AS (
                    SELECT p.*, CASE WHEN p.kind <> 'Task' THEN p.start_at + (15 + floor(p.r_length * 120)) * interval '1 minute' END AS end_at,
                           CASE WHEN p.start_at >= {Instant(DataEnd)} THEN 'Planned' WHEN p.r_status < 0.06 THEN 'Cancelled'
                                WHEN p.r_status < 0.14 THEN 'Planned' ELSE 'Completed' END AS status
                    FROM planned p
                )
                INSERT INTO sales.activities (id, kind, subject, start_at, end_at, owner_id, attendee_ids, customer_id, opportunity_id,
                    channel, status, outcome, urgent, important, quadrant, reminder_minutes_before, completed_at, created_at, updated_at)
                SELECT {d.Id("t.n", 3)}, t.kind,
                       CASE t.kind WHEN 'Call' THEN '电话跟进' WHEN 'Meeting' THEN '方案会议' WHEN 'Visit' THEN '客户拜访' WHEN 'Task' THEN '准备报价' ELSE '邮件跟进' END
                           || ' #' || t.n,
                       t.start_at, t.end_at, t.owner_id,
                       CASE WHEN t.colleague IS NOT NULL AND t.colleague IS DISTINCT FROM t.owner_id THEN ARRAY[t.colleague] ELSE ARRAY[]::uuid[] END,
                       t.customer_id, t.opportunity_id,
                       CASE t.kind WHEN 'Call' THEN 'phone' WHEN 'Visit' THEN 'visit' WHEN 'Email' THEN 'email' END,
                       t.status, CASE WHEN t.status = 'Completed' THEN '已沟通，待跟进' END,
                       t.r_urgent < 0.3, t.r_important < 0.5,
                       CASE WHEN t.r_urgent < 0.3 AND t.r_important < 0.5 THEN 'UrgentImportant' WHEN t.r_important < 0.5 THEN 'Important'
                            WHEN t.r_urgent < 0.3 THEN 'Urgent' ELSE 'Neither' END,
                       CASE WHEN t.kind IN ('Meeting', 'Visit') THEN 15 END,
                       CASE WHEN t.status = 'Completed' THEN coalesce(t.end_at, t.start_at) END,
                       t.start_at - interval '3 days',
                       CASE WHEN t.status = 'Completed' THEN coalesce(t.end_at, t.start_at) ELSE t.start_at - interval '3 days' END
                FROM timed t
                """);
        }

        // A monthly quota per rep over the two years, sized so attainment lands around 100 % on this data.
        await ExecuteAsync(connection, ct, $"""
            INSERT INTO sales.sales_quotas (id, subject_kind, subject_id, period, period_kind, period_start, period_end, amount_target,
                currency, new_customers_target, created_at, updated_at)
            SELECT {d.Id("u.n * 100 + m.i", 4)}, 'User', u.id, to_char(m.start, 'YYYY-MM'), 'Month', m.start::date, (m.start + interval '1 month')::date,
                   round(({opportunities}::numeric / {users} / 23 * 0.075 * 375000 * (0.8 + 0.6 * {d.R("u.n * 100 + m.i", 31)})::numeric), -3),
                   'CNY', 1 + floor(5 * {d.R("u.n * 100 + m.i", 32)})::int, {Instant(DataStart)}, {Instant(DataStart)}
            FROM bench_users u
            CROSS JOIN LATERAL (SELECT i, {Instant(DataStart)} AT TIME ZONE 'UTC' + (i - 1) * interval '1 month' AS start FROM generate_series(1, 24) AS i) m
            """);

        // USD rates, so the reports convert the USD deals (the latest one on or before the report day applies).
        await ExecuteAsync(connection, ct, $"""
            INSERT INTO sales.exchange_rates (id, currency, rate_date, rate, source, created_at, updated_at)
            VALUES ({d.Id("1", 5)}, 'USD', {Instant(DataStart)}::date, 7.1023, 'bench', {Instant(DataStart)}, {Instant(DataStart)}),
                   ({d.Id("2", 5)}, 'USD', {Instant(DataStart.AddYears(1))}::date, 7.2345, 'bench', {Instant(DataStart)}, {Instant(DataStart)})
            ON CONFLICT (currency, rate_date) DO NOTHING
            """);

        foreach (var table in new[] { "sales.opportunities", "sales.opportunity_stage_changes", "sales.activities", "sales.sales_quotas" })
        {
            await ExecuteAsync(connection, ct, $"VACUUM ANALYZE {table}");
        }

        var changes = await ScalarAsync(connection, "SELECT count(*) FROM sales.opportunity_stage_changes", ct);
        var quotas = await ScalarAsync(connection, "SELECT count(*) FROM sales.sales_quotas", ct);
        await ExecuteAsync(connection, ct, "DROP TABLE bench_opps, bench_stages, bench_customers, bench_users");
        return new SalesSeededData(opportunities, changes, activities, quotas, started.Elapsed);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, CancellationToken ct, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    private static string Literal(Guid id) => $"'{id}'::uuid";

    private static string Instant(DateTimeOffset at) =>
        string.Create(CultureInfo.InvariantCulture, $"timestamptz '{at.UtcDateTime:yyyy-MM-dd HH:mm:ss}+00'");

    /// <summary>SQL expressions of the seeded pseudo-random draws.</summary>
    private sealed class Draws(int seed)
    {
        /// <summary>A deterministic draw in [0, 1) for row <paramref name="row"/> (an SQL expression) and purpose <paramref name="salt"/>.</summary>
        public string R(string row, int salt) =>
            string.Create(CultureInfo.InvariantCulture, $"((hashint8extended(({row})::bigint, {(seed * 64L) + salt}) & 2147483647)::float8 / 2147483648.0)");

        /// <summary>
        /// A unique UUID (version 7 layout) for row <paramref name="row"/> of table <paramref name="table"/>: the row number in
        /// the leading 48 bits keeps the primary key inserts in order, seeded hash bits fill the rest.
        /// </summary>
        public string Id(string row, int table) =>
            string.Create(CultureInfo.InvariantCulture,
                $"(lpad(to_hex(({row})::bigint), 12, '0') || '7' || substr(md5('{seed}:{table}:' || ({row})), 1, 3) || '8' || substr(md5('{seed}:{table}:' || ({row})), 4, 15))::uuid");
    }
}
