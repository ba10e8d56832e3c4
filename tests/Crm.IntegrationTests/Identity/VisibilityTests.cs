using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.IntegrationTests.Sample;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;

namespace Crm.IntegrationTests.Identity;

/// <summary>Record visibility through the access scope, on the sample module's owned deals.</summary>
internal sealed class VisibilityTests : IntegrationTest
{
    private sealed record Org(TestUser Manager, TestUser EastRep, TestUser SouthRep, TestUser OtherDeptRep, TestUser Admin, TestUser Analyst);

    private async Task<Org> CreateOrganisationAsync()
    {
        var company = await TestUsers.CreateTeamAsync(Factory, "公司", TeamKind.Company);
        var sales = await TestUsers.CreateTeamAsync(Factory, "销售部", TeamKind.Department, company);
        var east = await TestUsers.CreateTeamAsync(Factory, "华东组", TeamKind.Group, sales);
        var south = await TestUsers.CreateTeamAsync(Factory, "华南组", TeamKind.Group, sales);
        var service = await TestUsers.CreateTeamAsync(Factory, "客服部", TeamKind.Department, company);
        return new Org(
            await TestUsers.CreateAsync(Factory, Roles.SalesManager, sales),
            await TestUsers.CreateAsync(Factory, Roles.SalesRep, east),
            await TestUsers.CreateAsync(Factory, Roles.SalesRep, south),
            await TestUsers.CreateAsync(Factory, Roles.SalesRep, service),
            await TestUsers.CreateAsync(Factory, Roles.Admin, company),
            await TestUsers.CreateAsync(Factory, Roles.Analyst, company));
    }

    private async Task<SampleDealItem> CreateDealAsync(TestUser owner, string title, bool unowned = false)
    {
        using var client = Factory.ClientFor(owner);
        return await ReadAsync<SampleDealItem>(await client.PostAsync("/api/v1/sample-deals", JsonBody(new { title, unowned })), HttpStatusCode.Created);
    }

    private async Task<string[]> VisibleTitlesAsync(TestUser user)
    {
        using var client = Factory.ClientFor(user);
        var deals = await ReadAsync<List<SampleDealItem>>(await client.GetAsync("/api/v1/sample-deals"), HttpStatusCode.OK);
        return deals.Select(d => d.Title).ToArray();
    }

    [Test]
    public async Task A_rep_sees_their_own_records_and_the_pool_only()
    {
        var org = await CreateOrganisationAsync();
        await CreateDealAsync(org.EastRep, "east");
        await CreateDealAsync(org.SouthRep, "south");
        await CreateDealAsync(org.EastRep, "pool", unowned: true);

        Assert.That(await VisibleTitlesAsync(org.EastRep), Is.EqualTo(new[] { "east", "pool" }));
    }

    [Test]
    public async Task A_manager_sees_their_team_and_its_sub_teams_but_not_other_departments()
    {
        var org = await CreateOrganisationAsync();
        await CreateDealAsync(org.EastRep, "east");
        await CreateDealAsync(org.SouthRep, "south");
        await CreateDealAsync(org.OtherDeptRep, "service");
        await CreateDealAsync(org.Manager, "manager");

        Assert.That(await VisibleTitlesAsync(org.Manager), Is.EqualTo(new[] { "east", "manager", "south" }));
    }

    [Test]
    public async Task Admins_and_analysts_see_everything()
    {
        var org = await CreateOrganisationAsync();
        await CreateDealAsync(org.EastRep, "east");
        await CreateDealAsync(org.OtherDeptRep, "service");

        Assert.That(await VisibleTitlesAsync(org.Admin), Is.EqualTo(new[] { "east", "service" }));
        Assert.That(await VisibleTitlesAsync(org.Analyst), Is.EqualTo(new[] { "east", "service" }));
    }

    [Test]
    public async Task A_record_the_caller_may_not_see_is_404_not_403()
    {
        var org = await CreateOrganisationAsync();
        var deal = await CreateDealAsync(org.EastRep, "east");
        using var other = Factory.ClientFor(org.SouthRep);
        using var owner = Factory.ClientFor(org.EastRep);

        await ReadProblemAsync(await other.GetAsync($"/api/v1/sample-deals/{deal.Id}"), HttpStatusCode.NotFound);
        Assert.That((await owner.GetAsync($"/api/v1/sample-deals/{deal.Id}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Analysts_read_everything_and_write_nothing()
    {
        var org = await CreateOrganisationAsync();
        using var analyst = Factory.ClientFor(org.Analyst);
        await ReadProblemAsync(await analyst.PostAsync("/api/v1/sample-deals", JsonBody(new { title = "x" })), HttpStatusCode.Forbidden);
    }
}
