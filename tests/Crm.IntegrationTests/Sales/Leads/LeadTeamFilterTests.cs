using System.Net;
using System.Text;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using static Crm.IntegrationTests.Sales.Leads.LeadApi;

namespace Crm.IntegrationTests.Sales.Leads;

/// <summary>GET /sales/leads?teamId=: the leads of a team subtree's current members, within the caller's visibility.</summary>
internal sealed class LeadTeamFilterTests : IntegrationTest
{
    [Test]
    public async Task The_team_filter_lists_the_leads_of_the_subtree_members_within_visibility_and_hides_other_teams_as_404()
    {
        var department = await TestUsers.CreateTeamAsync(Factory, "华东销售部", TeamKind.Department);
        var shanghai = await TestUsers.CreateTeamAsync(Factory, "上海组", TeamKind.Group, department);
        var south = await TestUsers.CreateTeamAsync(Factory, "华南销售部", TeamKind.Department);
        var manager = await TestUsers.CreateAsync(Factory, Roles.SalesManager, department);
        var eastRep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, department);
        var shanghaiRep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, shanghai);
        var southRep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, south);
        var adminUser = await TestUsers.CreateAsync(Factory, Roles.Admin);
        using var admin = Factory.ClientFor(adminUser);
        using var managerClient = Factory.ClientFor(manager);
        using var repClient = Factory.ClientFor(shanghaiRep);

        var east = (await CreateAsync(admin, new { companyName = "杭州 1", ownerId = eastRep.Id })).Lead.Id;
        var shanghaiLead = (await CreateAsync(admin, new { companyName = "上海 1", ownerId = shanghaiRep.Id })).Lead.Id;
        var shanghaiClosed = (await CreateAsync(admin, new { companyName = "上海 作废", ownerId = shanghaiRep.Id })).Lead.Id;
        await ReadAsync<object>(await admin.SendAsync(Post($"/api/v1/sales/leads/{shanghaiClosed}/disqualify", new { reason = "空号" })), HttpStatusCode.OK);
        var southLead = (await CreateAsync(admin, new { companyName = "广州 1", ownerId = southRep.Id })).Lead.Id;
        var managers = (await CreateAsync(admin, new { companyName = "经理自己的", ownerId = manager.Id })).Lead.Id;
        await CreateAsync(admin, "无人认领");

        var wholeDepartment = await ListAsync(managerClient, $"?teamId={department}&includeTotal=true");
        var subTeam = await ListAsync(managerClient, $"?teamId={shanghai}&status=new");
        var ownTeamForRep = await ListAsync(repClient, $"?teamId={shanghai}");
        var otherTeamForAdmin = await ListAsync(admin, $"?teamId={south}");
        var paged = await ListAsync(managerClient, $"?teamId={department}&limit=2");
        var secondPage = await ListAsync(managerClient, $"?teamId={department}&limit=2&cursor={Uri.EscapeDataString(paged.NextCursor!)}");

        Assert.Multiple(() =>
        {
            Assert.That(wholeDepartment.Items.Select(l => l.Id), Is.EquivalentTo(new[] { east, shanghaiLead, shanghaiClosed, managers }), "sub-teams in, unassigned and other teams out");
            Assert.That(wholeDepartment.Total, Is.EqualTo(4));
            Assert.That(subTeam.Items.Select(l => l.Id), Is.EqualTo(new[] { shanghaiLead }), "combines with the other filters");
            Assert.That(ownTeamForRep.Items.Select(l => l.Id), Is.EquivalentTo(new[] { shanghaiLead, shanghaiClosed }));
            Assert.That(otherTeamForAdmin.Items.Select(l => l.Id), Is.EqualTo(new[] { southLead }));
            Assert.That(paged.Items.Concat(secondPage.Items).Select(l => l.Id), Is.EquivalentTo(new[] { east, shanghaiLead, shanghaiClosed, managers }), "keyset pages keep the filter");
        });

        // A rep sees only their own leads even when naming a team they report on; teams beyond the caller are 404.
        using var eastRepClient = Factory.ClientFor(eastRep);
        var eastRepsTeam = await ListAsync(eastRepClient, $"?teamId={department}");
        Assert.That(eastRepsTeam.Items.Select(l => l.Id), Is.EqualTo(new[] { east }));
        await ReadProblemAsync(await managerClient.GetAsync($"/api/v1/sales/leads?teamId={south}"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await repClient.GetAsync($"/api/v1/sales/leads?teamId={department}"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await admin.GetAsync($"/api/v1/sales/leads?teamId={Guid.CreateVersion7()}"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await admin.GetAsync("/api/v1/sales/leads?teamId=华东"), HttpStatusCode.BadRequest);
        using var agent = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.ServiceAgent));
        await ReadProblemAsync(await agent.GetAsync($"/api/v1/sales/leads?teamId={department}"), HttpStatusCode.Forbidden);

        // Membership is read at query time: a rep who moves to another team takes their leads along.
        var move = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/users/{shanghaiRep.Id}")
        {
            Content = new StringContent($$"""{"teamId":"{{south}}"}""", Encoding.UTF8, "application/merge-patch+json"),
        };
        Assert.That((await admin.SendAsync(move)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var departmentAfter = await ListAsync(admin, $"?teamId={department}");
        var southAfter = await ListAsync(admin, $"?teamId={south}");
        Assert.Multiple(() =>
        {
            Assert.That(departmentAfter.Items.Select(l => l.Id), Is.EquivalentTo(new[] { east, managers }));
            Assert.That(southAfter.Items.Select(l => l.Id), Is.EquivalentTo(new[] { southLead, shanghaiLead, shanghaiClosed }));
        });
    }
}
