using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using static Crm.IntegrationTests.Customers.CustomerApi;

namespace Crm.IntegrationTests.Customers;

internal sealed class CustomerVisibilityTests : IntegrationTest
{
    private sealed record Org(TestUser Manager, TestUser EastRep, TestUser SouthRep, TestUser OtherDeptRep, TestUser Admin, TestUser Analyst, Guid East);

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
            await TestUsers.CreateAsync(Factory, Roles.Analyst, company),
            east);
    }

    private async Task<CustomerResponse> CreateForAsync(TestUser user, string name)
    {
        using var client = Factory.ClientFor(user);
        return (await CreateAsync(client, name)).Customer;
    }

    private async Task<string[]> VisibleNamesAsync(TestUser user)
    {
        using var client = Factory.ClientFor(user);
        var page = await ReadAsync<CustomerCrudTests.ListPage>(await client.GetAsync("/api/v1/customers?sort=name"), HttpStatusCode.OK);
        return page.Items.Select(c => c.Name).ToArray();
    }

    [Test]
    public async Task Reps_see_their_own_managers_their_team_subtree_and_admins_everything()
    {
        var org = await CreateOrganisationAsync();
        var east = await CreateForAsync(org.EastRep, "east");
        await CreateForAsync(org.SouthRep, "south");
        await CreateForAsync(org.OtherDeptRep, "service");

        Assert.Multiple(async () =>
        {
            Assert.That(east.OwnerId, Is.EqualTo(org.EastRep.Id));
            Assert.That(east.TeamId, Is.EqualTo(org.East));
            Assert.That(await VisibleNamesAsync(org.EastRep), Is.EqualTo(new[] { "east" }));
            Assert.That(await VisibleNamesAsync(org.Manager), Is.EqualTo(new[] { "east", "south" }));
            Assert.That(await VisibleNamesAsync(org.Admin), Is.EqualTo(new[] { "east", "service", "south" }));
            Assert.That(await VisibleNamesAsync(org.Analyst), Is.EqualTo(new[] { "east", "service", "south" }));
        });
    }

    [Test]
    public async Task A_customer_the_caller_may_not_see_is_404_for_read_patch_and_delete()
    {
        var org = await CreateOrganisationAsync();
        var east = await CreateForAsync(org.EastRep, "east");
        using var other = Factory.ClientFor(org.SouthRep);
        using var manager = Factory.ClientFor(org.Manager);

        await ReadProblemAsync(await other.GetAsync($"/api/v1/customers/{east.Id}"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await other.SendAsync(Patch(east.Id, """{"name":"taken"}""")), HttpStatusCode.NotFound);
        await ReadProblemAsync(await other.DeleteAsync($"/api/v1/customers/{east.Id}"), HttpStatusCode.NotFound);
        Assert.That((await manager.GetAsync($"/api/v1/customers/{east.Id}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_rep_may_not_assign_another_owner_but_a_manager_may_within_the_team()
    {
        var org = await CreateOrganisationAsync();
        using var rep = Factory.ClientFor(org.EastRep);
        using var manager = Factory.ClientFor(org.Manager);

        await ReadProblemAsync(
            await rep.PostAsync("/api/v1/customers", JsonBody(new { kind = "organization", name = "x", ownerId = org.SouthRep.Id })),
            HttpStatusCode.Forbidden);
        await ReadProblemAsync(
            await manager.PostAsync("/api/v1/customers", JsonBody(new { kind = "organization", name = "x", ownerId = org.OtherDeptRep.Id })),
            HttpStatusCode.Forbidden);
        var assigned = await CreateAsync(manager, new { kind = "organization", name = "assigned", ownerId = org.SouthRep.Id });

        Assert.That(assigned.Customer.OwnerId, Is.EqualTo(org.SouthRep.Id));
        Assert.That(await VisibleNamesAsync(org.SouthRep), Is.EqualTo(new[] { "assigned" }));
    }

    [Test]
    public async Task An_admin_assigning_an_unknown_owner_is_422_and_analysts_cannot_write()
    {
        var org = await CreateOrganisationAsync();
        using var admin = Factory.ClientFor(org.Admin);
        using var analyst = Factory.ClientFor(org.Analyst);

        await ReadProblemAsync(
            await admin.PostAsync("/api/v1/customers", JsonBody(new { kind = "organization", name = "x", ownerId = Guid.NewGuid() })),
            HttpStatusCode.UnprocessableEntity);
        await ReadProblemAsync(await analyst.PostAsync("/api/v1/customers", JsonBody(new { kind = "organization", name = "x" })), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await Client.GetAsync("/api/v1/customers"), HttpStatusCode.Unauthorized);
    }
}
