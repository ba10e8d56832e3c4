using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Features.Opportunities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.IntegrationTests.Sales.Opportunities;

/// <summary>
/// The plans PostgreSQL chooses for the exact statement a bulk reassignment sends (<see cref="ReassignSelection.MoveSql"/>),
/// over 30,000 opportunities of 200 owners: EXPLAIN only, nothing moves.
/// </summary>
internal sealed class ReassignPlanTests : IntegrationTest
{
    private static readonly Guid NewOwner = Guid.Parse("00000000-0000-0000-0001-000000000099");

    [SetUp]
    public async Task SeedAsync()
    {
        await CountAsync(OpportunityPlanData.SeedSql(30_000));
        await CountAsync("VACUUM ANALYZE sales.opportunities");
    }

    private static async Task<string> PlanAsync(ReassignSelection selection)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SalesDbContext>();
        return await ExplainAsync(db.Database.SqlQuery<ReassignedOpportunity>(selection.MoveSql()));
    }

    private static ReassignSelection Selection(bool seesAll, Guid[]? ids = null, Guid? fromOwnerId = null, Guid? pipelineId = null) =>
        new(NewOwner, null, DateTimeOffset.UtcNow, seesAll, seesAll ? [] : [OpportunityPlanData.Owner, NewOwner], ids, fromOwnerId, pipelineId, null);

    [TestCase(true)]
    [TestCase(false)]
    public async Task A_leaving_reps_deals_are_found_through_the_owner_index_for_admins_and_managers(bool seesAll)
    {
        var plan = await PlanAsync(Selection(seesAll, fromOwnerId: OpportunityPlanData.Owner, pipelineId: Guid.Parse("01930000-0000-7000-8000-000000000001")));

        Assert.That(plan, Does.Contain("ix_opportunities_owner_id_created_at_id").And.Not.Contain("Seq Scan"));
    }

    [Test]
    public async Task Requested_ids_are_found_through_the_primary_key()
    {
        var ids = Enumerable.Range(1, 20).Select(_ => Guid.CreateVersion7()).ToArray();

        var plan = await PlanAsync(Selection(seesAll: false, ids: ids));

        Assert.That(plan, Does.Contain("pk_opportunities").And.Not.Contain("Seq Scan"));
    }
}
