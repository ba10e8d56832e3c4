using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Features.Leads;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.IntegrationTests.Sales.Leads;

/// <summary>
/// The lead <c>q</c> search (LIKE '%q%' on search_text) runs on the trigram GIN index: proven on the plan PostgreSQL
/// chooses for the exact SQL the list sends (built by the same <see cref="LeadQuery"/>), over 20,000 leads.
/// </summary>
internal sealed class LeadSearchPlanTests : IntegrationTest
{
    private const int Rows = 20_000;

    [SetUp]
    public async Task SeedAsync()
    {
        // Spread CJK company names (no common trigram), a phone and an email per row, a few rows with the terms searched for.
        await CountAsync($"""
            WITH seed AS (
                SELECT i,
                       CASE WHEN i % 5000 = 0 THEN '云帆科技' || i ELSE chr(19968 + (i * 7919) % 20000) || chr(19968 + (i * 104729) % 20000) || chr(19968 + (i * 31) % 20000) || '贸易' END AS company,
                       CASE WHEN i % 5000 = 0 THEN 'yunfan' || i || '@example.com' ELSE 'lead' || i || '@example.com' END AS email
                FROM generate_series(1, {Rows}) AS i
            )
            INSERT INTO sales.leads (id, company_name, phones, emails, currency, status, created_at, updated_at, search_text)
            SELECT gen_random_uuid(), company, ARRAY['139' || lpad(i::text, 8, '0')], ARRAY[email], 'CNY', 'New',
                   now() - i * interval '1 minute', now(), lower(company) || ' 139' || lpad(i::text, 8, '0') || ' ' || email
            FROM seed
            RETURNING 1
            """);

        // As autovacuum would after a bulk load: empties the GIN pending list and gathers statistics.
        await CountAsync("VACUUM ANALYZE sales.leads");
    }

    private static async Task<string> PlanAsync(string q)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SalesDbContext>();
        var query = LeadQuery.Apply(db.Leads.AsNoTracking(), new LeadFilter(Q: q))
            .OrderByDescending(l => l.CreatedAt).ThenByDescending(l => l.Id)
            .Select(LeadProjection.ToResponse)
            .Take(51);

        return await ExplainAsync(query);
    }

    [TestCase("云帆科技")]
    [TestCase("yunfan")]
    [TestCase("0019999")]
    [TestCase("139-0001-9999")]
    public async Task Selective_queries_use_the_trigram_index(string q)
    {
        var plan = await PlanAsync(q);

        Assert.That(plan, Does.Contain($"Bitmap Index Scan on {LeadsModel.SearchTextIndex}"));
        Assert.That(plan, Does.Not.Contain("Seq Scan"));
    }

    [Test]
    public async Task The_list_finds_the_rows_the_plans_were_taken_for()
    {
        using var admin = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.Admin));
        var page = await LeadApi.ListAsync(admin, "?q=" + Uri.EscapeDataString("云帆科技") + "&includeTotal=true");
        Assert.That(page.Total, Is.EqualTo(Rows / 5000));
    }
}
