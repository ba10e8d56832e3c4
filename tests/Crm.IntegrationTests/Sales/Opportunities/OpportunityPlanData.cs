namespace Crm.IntegrationTests.Sales.Opportunities;

/// <summary>The opportunities the plan tests EXPLAIN their statements over, inserted in one statement.</summary>
internal static class OpportunityPlanData
{
    /// <summary>One of the 200 owners the rows are spread over (owner <c>i % 200</c>).</summary>
    public static readonly Guid Owner = Guid.Parse("00000000-0000-0000-0001-000000000007");

    /// <summary>
    /// <paramref name="rows"/> opportunities: a third each open (expected close spread over six years), won (closed over six
    /// years) and lost; 200 owners, 8,000 customers. Returns a row per opportunity (run it with CountAsync).
    /// </summary>
    public static string SeedSql(int rows) => $"""
        INSERT INTO sales.opportunities (id, name, customer_id, pipeline_id, stage_id, status, amount, currency, probability,
            expected_close_date, owner_id, stage_entered_at, closed_at, created_at, updated_at)
        SELECT gen_random_uuid(), 'o' || i, ('00000000-0000-0000-0000-' || lpad((i % 8000)::text, 12, '0'))::uuid,
               '01930000-0000-7000-8000-000000000001',
               CASE i % 3 WHEN 0 THEN '01930000-0000-7000-8000-000000000101' WHEN 1 THEN '01930000-0000-7000-8000-000000000105' ELSE '01930000-0000-7000-8000-000000000106' END::uuid,
               CASE i % 3 WHEN 0 THEN 'Open' WHEN 1 THEN 'Won' ELSE 'Lost' END,
               1000 + i % 97, 'CNY', CASE i % 3 WHEN 0 THEN 10 WHEN 1 THEN 100 ELSE 0 END,
               CASE WHEN i % 3 = 0 THEN date '2022-01-01' + i % 2190 END,
               ('00000000-0000-0000-0001-' || lpad((i % 200)::text, 12, '0'))::uuid,
               timestamptz '2021-06-01', CASE WHEN i % 3 <> 0 THEN timestamptz '2022-01-01' + (i % 2190) * interval '1 day' END,
               timestamptz '2021-06-01', timestamptz '2021-06-01'
        FROM generate_series(1, {rows}) AS i
        RETURNING 1
        """;
}
