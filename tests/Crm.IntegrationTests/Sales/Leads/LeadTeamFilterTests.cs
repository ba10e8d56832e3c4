using System.Net;
using System.Text;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Sales.Features.Assignment;
using Crm.Modules.Sales.Features.Leads;
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

    [Test]
    public async Task Bulk_reassign_by_team_moves_the_open_leads_of_the_subtree_members_and_answers_422_for_a_team_beyond_the_caller()
    {
        var department = await TestUsers.CreateTeamAsync(Factory, "华东销售部", TeamKind.Department);
        var shanghai = await TestUsers.CreateTeamAsync(Factory, "上海组", TeamKind.Group, department);
        var pudong = await TestUsers.CreateTeamAsync(Factory, "浦东小组", TeamKind.Group, shanghai);
        var hangzhou = await TestUsers.CreateTeamAsync(Factory, "杭州组", TeamKind.Group, department);
        var south = await TestUsers.CreateTeamAsync(Factory, "华南销售部", TeamKind.Department);
        var manager = await TestUsers.CreateAsync(Factory, Roles.SalesManager, department);
        var shanghaiRep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, shanghai);
        var pudongRep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, pudong);
        var hangzhouRep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, hangzhou);
        using var admin = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.Admin));
        using var managerClient = Factory.ClientFor(manager);

        var shanghaiLead = (await CreateAsync(admin, new { companyName = "上海 1", ownerId = shanghaiRep.Id })).Lead.Id;
        var pudongLead = (await CreateAsync(admin, new { companyName = "浦东 1", ownerId = pudongRep.Id, province = "上海市" })).Lead.Id;
        var shanghaiClosed = (await CreateAsync(admin, new { companyName = "上海 作废", ownerId = shanghaiRep.Id })).Lead.Id;
        await ReadAsync<object>(await admin.SendAsync(Post($"/api/v1/sales/leads/{shanghaiClosed}/disqualify", new { reason = "空号" })), HttpStatusCode.OK);
        var hangzhouLead = (await CreateAsync(admin, new { companyName = "杭州 1", ownerId = hangzhouRep.Id })).Lead.Id;
        var unassigned = (await CreateAsync(admin, "无人认领")).Lead.Id;

        var onlyPudong = await ReadAsync<ReassignLeadsResponse>(
            await managerClient.PostAsync("/api/v1/sales/leads/reassign", JsonBody(new { toOwnerId = hangzhouRep.Id, filter = new { teamId = shanghai, province = "上海市" } })),
            HttpStatusCode.OK);
        var wholeTeam = await ReadAsync<ReassignLeadsResponse>(
            await managerClient.PostAsync("/api/v1/sales/leads/reassign", JsonBody(new { toOwnerId = hangzhouRep.Id, filter = new { teamId = shanghai } })),
            HttpStatusCode.OK);
        var otherTeam = await ReadProblemAsync(
            await managerClient.PostAsync("/api/v1/sales/leads/reassign", JsonBody(new { toOwnerId = hangzhouRep.Id, filter = new { teamId = south } })),
            HttpStatusCode.UnprocessableEntity);
        var unknownTeam = await ReadProblemAsync(
            await managerClient.PostAsync("/api/v1/sales/leads/reassign", JsonBody(new { toOwnerId = hangzhouRep.Id, filter = new { teamId = Guid.CreateVersion7() } })),
            HttpStatusCode.UnprocessableEntity);

        var hangzhouNow = await ListAsync(admin, $"?ownerId={hangzhouRep.Id}");
        Assert.Multiple(async () =>
        {
            Assert.That(onlyPudong.Reassigned, Is.EqualTo(1), "the team filter combines with the others");
            Assert.That(wholeTeam.Reassigned, Is.EqualTo(1), "the sub-team's lead moved already; the closed lead stays");
            Assert.That(hangzhouNow.Items.Select(l => l.Id), Is.EquivalentTo(new[] { hangzhouLead, pudongLead, shanghaiLead }));
            Assert.That(hangzhouNow.Items.Select(l => l.TeamId), Is.All.EqualTo(hangzhou));
            Assert.That(await CountAsync($"SELECT count(*) FROM sales.leads WHERE id = '{shanghaiClosed}' AND owner_id = '{shanghaiRep.Id}'"), Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM sales.leads WHERE id = '{unassigned}' AND owner_id IS NULL"), Is.EqualTo(1));
            Assert.That(otherTeam.GetProperty("type").GetString(), Is.EqualTo(AssignmentProblems.UnknownTeamType));
            Assert.That(unknownTeam.GetProperty("type").GetString(), Is.EqualTo(AssignmentProblems.UnknownTeamType));
        });
    }
}
