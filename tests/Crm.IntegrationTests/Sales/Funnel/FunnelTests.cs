using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Funnel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.IntegrationTests.Sales.Funnel;

internal sealed class FunnelTests : IntegrationTest
{
    private static readonly TimeSpan Step = TimeSpan.FromDays(5);

    /// <summary>
    /// Inserts <paramref name="count"/> opportunities of <paramref name="owner"/> created 20 days before the test
    /// clock in initial contact and moved one stage every 5 days up to <paramref name="stageCode"/>; their amounts
    /// add up to exactly <paramref name="total"/> (equal cents, the remainder on the last one).
    /// </summary>
    private static async Task SeedAsync(Guid owner, string stageCode, int count, decimal total)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SalesDbContext>();
        var stages = await db.PipelineStages.Where(s => s.PipelineId == Pipeline.DefaultId).OrderBy(s => s.Position).ToListAsync();
        var target = stages.Single(s => s.Code == stageCode);
        var start = Factory.Time.GetUtcNow() - TimeSpan.FromDays(20);
        var each = Math.Floor(total / count * 100) / 100;
        for (var i = 0; i < count; i++)
        {
            var amount = i == count - 1 ? total - (each * (count - 1)) : each;
            var opportunity = Opportunity.Create($"{stageCode} {i}", Guid.CreateVersion7(), null, null, stages[0], amount, "CNY", null, owner, null, start);
            db.Opportunities.Add(opportunity);
            var at = start;
            foreach (var stage in stages.Where(s => s.Position > 1 && s.Position <= target.Position))
            {
                at += Step;
                db.OpportunityStageChanges.Add(opportunity.MoveTo(stage, owner, at)!);
            }
        }

        await db.SaveChangesAsync();
    }

    private static async Task<FunnelResponse> FunnelAsync(TestUser user, string query = "")
    {
        using var client = Factory.ClientFor(user);
        return await ReadAsync<FunnelResponse>(await client.GetAsync($"/api/v1/sales/funnel{query}"), HttpStatusCode.OK);
    }

    [Test]
    public async Task The_worked_example_of_the_source_material_comes_out_of_the_funnel()
    {
        var team = await TestUsers.CreateTeamAsync(Factory, "华东组", TeamKind.Group);
        var rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, team);

        // Forecast = Σ amount × stage probability (10 / 30 / 60 / 90 %), so each stage's amounts add up to forecast ÷ probability.
        await SeedAsync(rep.Id, "initialContact", 80, 112_500_000m);
        await SeedAsync(rep.Id, "intentReached", 30, 10_600_000m);
        await SeedAsync(rep.Id, "businessNegotiation", 16, 2_800_000m);
        await SeedAsync(rep.Id, "contractSigned", 10, 1_200_000m);

        var funnel = await FunnelAsync(rep);

        Assert.Multiple(() =>
        {
            Assert.That(funnel.Stages.Select(s => s.Code), Is.EqualTo(new[] { "initialContact", "intentReached", "businessNegotiation", "contractSigned" }));
            Assert.That(funnel.Stages.Select(s => s.Count), Is.EqualTo(new[] { 80, 30, 16, 10 }));
            Assert.That(funnel.Stages.Select(s => s.WeightedAmount), Is.EqualTo(new[] { 11_250_000m, 3_180_000m, 1_680_000m, 1_080_000m }));
            Assert.That(funnel.Stages.Select(s => s.Amount), Is.EqualTo(new[] { 112_500_000m, 10_600_000m, 2_800_000m, 1_200_000m }));

            // Reached counts the opportunities in the stage or beyond: 136, 56, 26, 10.
            Assert.That(funnel.Stages.Select(s => s.Reached), Is.EqualTo(new[] { 136, 56, 26, 10 }));
            Assert.That(funnel.Stages.Select(s => s.ConversionRate), Is.EqualTo(new decimal?[] { 0.4118m, 0.4643m, 0.3846m, 0m }));

            // Initial contact: 56 finished stays of 5 days plus 80 running stays of 20 days = 1880 / 136 days.
            Assert.That(funnel.Stages[0].AverageDaysInStage, Is.EqualTo(13.82m));

            // Contract signed: only the 10 running stays, entered 15 days ago.
            Assert.That(funnel.Stages[3].AverageDaysInStage, Is.EqualTo(5m));
            Assert.That(funnel.Won, Is.EqualTo(new FunnelClosedResponse(0, 0m)));
        });
    }

    [Test]
    public async Task Won_and_lost_are_totalled_and_a_won_opportunity_reached_every_open_stage()
    {
        var team = await TestUsers.CreateTeamAsync(Factory, "华南组", TeamKind.Group);
        var rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, team);
        await SeedAsync(rep.Id, "closedWon", 2, 300m);
        await SeedAsync(rep.Id, "intentReached", 2, 100m);

        var funnel = await FunnelAsync(rep);

        Assert.Multiple(() =>
        {
            Assert.That(funnel.Won, Is.EqualTo(new FunnelClosedResponse(2, 300m)));
            Assert.That(funnel.Stages.Select(s => s.Reached), Is.EqualTo(new[] { 4, 4, 2, 2 }));
            Assert.That(funnel.Stages[3].ConversionRate, Is.EqualTo(1m));
        });
    }

    [Test]
    public async Task Reps_see_their_own_opportunities_managers_their_subtree_and_admins_all()
    {
        var company = await TestUsers.CreateTeamAsync(Factory, "公司", TeamKind.Company);
        var sales = await TestUsers.CreateTeamAsync(Factory, "销售部", TeamKind.Department, company);
        var east = await TestUsers.CreateTeamAsync(Factory, "华东", TeamKind.Group, sales);
        var service = await TestUsers.CreateTeamAsync(Factory, "客服部", TeamKind.Department, company);
        var rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, east);
        var colleague = await TestUsers.CreateAsync(Factory, Roles.SalesRep, east);
        var outsider = await TestUsers.CreateAsync(Factory, Roles.SalesRep, service);
        var manager = await TestUsers.CreateAsync(Factory, Roles.SalesManager, sales);
        var admin = await TestUsers.CreateAsync(Factory, Roles.Admin, company);
        await SeedAsync(rep.Id, "initialContact", 1, 10m);
        await SeedAsync(colleague.Id, "initialContact", 2, 20m);
        await SeedAsync(outsider.Id, "initialContact", 4, 40m);

        var mine = await FunnelAsync(rep);
        var subtree = await FunnelAsync(manager);
        var all = await FunnelAsync(admin, $"?ownerId={outsider.Id}");
        var hidden = await FunnelAsync(rep, $"?ownerId={outsider.Id}");

        Assert.Multiple(() =>
        {
            Assert.That(mine.Stages[0].Count, Is.EqualTo(1));
            Assert.That(subtree.Stages[0].Count, Is.GreaterThanOrEqualTo(3));
            Assert.That(subtree.Stages[0].Amount, Is.GreaterThanOrEqualTo(30m));
            Assert.That(all.Stages[0].Count, Is.EqualTo(4));
            Assert.That(hidden.Stages[0].Count, Is.Zero);
        });
    }

    [Test]
    public async Task The_team_filter_counts_the_members_of_the_team_subtree_and_other_teams_are_404()
    {
        var company = await TestUsers.CreateTeamAsync(Factory, "公司", TeamKind.Company);
        var sales = await TestUsers.CreateTeamAsync(Factory, "销售部", TeamKind.Department, company);
        var east = await TestUsers.CreateTeamAsync(Factory, "华东", TeamKind.Group, sales);
        var west = await TestUsers.CreateTeamAsync(Factory, "西南", TeamKind.Group, sales);
        var service = await TestUsers.CreateTeamAsync(Factory, "客服部", TeamKind.Department, company);
        var rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, east);
        var westRep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, west);
        var outsider = await TestUsers.CreateAsync(Factory, Roles.SalesRep, service);
        var manager = await TestUsers.CreateAsync(Factory, Roles.SalesManager, sales);
        var admin = await TestUsers.CreateAsync(Factory, Roles.Admin, company);
        await SeedAsync(rep.Id, "initialContact", 1, 10m);
        await SeedAsync(westRep.Id, "initialContact", 2, 20m);
        await SeedAsync(outsider.Id, "initialContact", 4, 40m);

        var eastOnly = await FunnelAsync(manager, $"?teamId={east}");
        var department = await FunnelAsync(manager, $"?teamId={sales}");
        var serviceForAdmin = await FunnelAsync(admin, $"?teamId={service}");
        var ownTeam = await FunnelAsync(rep, $"?teamId={east}");

        Assert.Multiple(() =>
        {
            Assert.That((eastOnly.Stages[0].Count, eastOnly.Stages[0].Amount), Is.EqualTo((1, 10m)));
            Assert.That((department.Stages[0].Count, department.Stages[0].Amount), Is.EqualTo((3, 30m)));
            Assert.That((serviceForAdmin.Stages[0].Count, serviceForAdmin.Stages[0].Amount), Is.EqualTo((4, 40m)));
            Assert.That(ownTeam.Stages[0].Count, Is.EqualTo(1));
        });

        using var managerClient = Factory.ClientFor(manager);
        using var repClient = Factory.ClientFor(rep);
        using var adminClient = Factory.ClientFor(admin);
        await ReadProblemAsync(await managerClient.GetAsync($"/api/v1/sales/funnel?teamId={service}"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await repClient.GetAsync($"/api/v1/sales/funnel?teamId={west}"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await adminClient.GetAsync($"/api/v1/sales/funnel?teamId={Guid.CreateVersion7()}"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task The_created_period_filters_the_opportunities()
    {
        var rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, await TestUsers.CreateTeamAsync(Factory, "西北", TeamKind.Group));
        await SeedAsync(rep.Id, "initialContact", 3, 30m);
        var created = Factory.Time.GetUtcNow() - TimeSpan.FromDays(20);

        var inside = await FunnelAsync(rep, $"?from={Uri.EscapeDataString(created.AddDays(-1).ToString("O"))}&to={Uri.EscapeDataString(created.AddDays(1).ToString("O"))}");
        var after = await FunnelAsync(rep, $"?from={Uri.EscapeDataString(created.AddDays(1).ToString("O"))}");

        Assert.Multiple(() =>
        {
            Assert.That(inside.Stages[0].Count, Is.EqualTo(3));
            Assert.That(after.Stages[0].Count, Is.Zero);
        });
    }

    [Test]
    public async Task A_period_ending_before_it_starts_is_a_400_with_the_field()
    {
        var rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep);
        using var client = Factory.ClientFor(rep);

        var problem = await ReadProblemAsync(await client.GetAsync("/api/v1/sales/funnel?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z"), HttpStatusCode.BadRequest);
        var malformed = await ReadProblemAsync(await client.GetAsync("/api/v1/sales/funnel?from=yesterday"), HttpStatusCode.BadRequest);

        Assert.Multiple(() =>
        {
            Assert.That(problem.GetProperty("errors").TryGetProperty("to", out _), Is.True);
            Assert.That(malformed.GetProperty("status").GetInt32(), Is.EqualTo(400));
        });
    }

    [Test]
    public async Task An_unknown_pipeline_is_a_404()
    {
        var rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep);
        using var client = Factory.ClientFor(rep);

        await ReadProblemAsync(await client.GetAsync($"/api/v1/sales/funnel?pipelineId={Guid.CreateVersion7()}"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Users_without_sales_read_get_a_403()
    {
        var agent = await TestUsers.CreateAsync(Factory, Roles.ServiceAgent);
        using var client = Factory.ClientFor(agent);

        await ReadProblemAsync(await client.GetAsync("/api/v1/sales/funnel"), HttpStatusCode.Forbidden);
    }
}
