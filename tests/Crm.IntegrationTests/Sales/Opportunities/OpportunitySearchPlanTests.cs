using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Opportunities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.IntegrationTests.Sales.Opportunities;

/// <summary>
/// <c>q</c> on the opportunity list is served by the trigram index on the name: the plan PostgreSQL chooses for the
/// filter the list endpoint applies (<see cref="ListOpportunitiesHandler.Apply"/>), over 20,000 opportunities.
/// </summary>
internal sealed class OpportunitySearchPlanTests : IntegrationTest
{
    private const int Rows = 20_000;

    [SetUp]
    public async Task SeedAsync()
    {
        await CountAsync($"""
            WITH seed AS (
                SELECT i,
                       CASE WHEN i % 5000 = 0 THEN '华为技术 Huawei ERP ' || i
                            ELSE chr(19968 + (i * 7919) % 20000) || chr(19968 + (i * 104729) % 20000) || chr(19968 + (i * 31) % 20000) || ' project ' || i END AS name
                FROM generate_series(1, {Rows}) AS i
            )
            INSERT INTO sales.opportunities (id, name, customer_id, pipeline_id, stage_id, status, amount, currency, probability,
                stage_entered_at, created_at, updated_at)
            SELECT gen_random_uuid(), name, gen_random_uuid(), '{Pipeline.DefaultId}', '{OpportunityApi.StageId("initialContact")}', 'Open', i, 'CNY', 10,
                   now(), now() - i * interval '1 minute', now()
            FROM seed
            RETURNING 1
            """);

        // As autovacuum would after a bulk load: empties the GIN pending list and gathers statistics.
        await CountAsync("VACUUM ANALYZE sales.opportunities");
    }

    private static async Task<string> PlanAsync(string q)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SalesDbContext>();
        var filter = new OpportunityFilter(q, null, null, null, null, null, null, null, null, null, null, null);
        var query = ListOpportunitiesHandler.Apply(db.Opportunities.AsNoTracking(), filter)
            .OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id)
            .Take(51);

        return await ExplainAsync(query);
    }

    [TestCase("华为技术")]
    [TestCase("HUAWEI")]
    public async Task A_name_search_of_three_or_more_characters_uses_the_trigram_index(string q)
    {
        var plan = await PlanAsync(q);

        Assert.That(plan, Does.Contain($"Bitmap Index Scan on {OpportunitiesModel.NameTrigramIndex}"));
        Assert.That(plan, Does.Not.Contain("Seq Scan"));
    }
}
