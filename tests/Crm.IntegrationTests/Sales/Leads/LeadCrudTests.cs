using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Leads;
using static Crm.IntegrationTests.Sales.Leads.LeadApi;

namespace Crm.IntegrationTests.Sales.Leads;

internal sealed class LeadCrudTests : IntegrationTest
{
    private TestUser _rep = null!;
    private HttpClient _client = null!;

    [SetUp]
    public async Task SignInRepAsync()
    {
        _rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep);
        _client = Factory.ClientFor(_rep);
    }

    [TearDown]
    public void DisposeRep() => _client.Dispose();

    [Test]
    public async Task A_created_lead_round_trips_normalized_and_unassigned_with_an_ETag()
    {
        var partnerId = await SeedPartnerAsync(Factory.Services, "华南代理");
        var campaignId = Guid.CreateVersion7();
        var (lead, etag) = await CreateAsync(_client, new
        {
            companyName = "  深圳云帆科技有限公司 ", personName = "陈思", title = "采购经理", source = "exhibition", campaignId,
            phones = new[] { "138-0013-8000", "13800138000" }, emails = new[] { "Chen.Si@YunFan.cn" }, province = "广东省", city = "深圳市",
            industry = "制造业", estimatedValue = 120000.50m, score = 70, partnerId, notes = "展会上留的名片",
        });

        Assert.Multiple(() =>
        {
            Assert.That(lead.CompanyName, Is.EqualTo("深圳云帆科技有限公司"));
            Assert.That(lead.Phones, Is.EqualTo(new[] { "13800138000" }));
            Assert.That(lead.Emails, Is.EqualTo(new[] { "chen.si@yunfan.cn" }));
            Assert.That(lead.Currency, Is.EqualTo("CNY"));
            Assert.That(lead.EstimatedValue, Is.EqualTo(120000.50m));
            Assert.That(lead.Status, Is.EqualTo(LeadStatus.New));
            Assert.That(lead.OwnerId, Is.Null);
            Assert.That(lead.PartnerId, Is.EqualTo(partnerId));
            Assert.That(lead.CampaignId, Is.EqualTo(campaignId));
        });

        var response = await _client.GetAsync($"/api/v1/sales/leads/{lead.Id}");
        var fetched = await ReadAsync<LeadResponse>(response, HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(fetched.PersonName, Is.EqualTo("陈思"));
            Assert.That(response.Headers.ETag!.ToString(), Is.EqualTo(etag));
        });
    }

    [Test]
    public async Task Invalid_leads_are_400_with_field_errors_and_unknown_partners_are_422()
    {
        var response = await _client.PostAsync("/api/v1/sales/leads", JsonBody(new
        {
            city = "深圳市", score = 101, estimatedValue = -1, currency = "RMB1", phones = new[] { "12" }, emails = new[] { "not-an-email" },
        }));
        var errors = (await ReadProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Multiple(() =>
        {
            foreach (var field in new[] { "companyName", "city", "score", "estimatedValue", "currency", "phones[0]", "emails[0]" })
            {
                Assert.That(errors.TryGetProperty(field, out _), Is.True, field + " in " + errors);
            }
        });

        var unknownPartner = await _client.PostAsync("/api/v1/sales/leads", JsonBody(new { personName = "王先生", partnerId = Guid.CreateVersion7() }));
        var problem = await ReadProblemAsync(unknownPartner, (HttpStatusCode)422);
        Assert.That(problem.GetProperty("type").GetString(), Does.EndWith("/unknown-partner"));
    }

    [Test]
    public async Task Reps_may_own_leads_themselves_but_only_managers_and_admins_give_them_to_others()
    {
        var team = await TestUsers.CreateTeamAsync(Factory, "华东组", TeamKind.Group);
        var rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, team);
        var otherRep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, team);
        var manager = await TestUsers.CreateAsync(Factory, Roles.SalesManager, team);
        using var repClient = Factory.ClientFor(rep);
        using var managerClient = Factory.ClientFor(manager);

        var (mine, _) = await CreateAsync(repClient, new { companyName = "自己的线索", ownerId = rep.Id });
        Assert.That(mine.OwnerId, Is.EqualTo(rep.Id));
        Assert.That(mine.TeamId, Is.EqualTo(team));

        await ReadProblemAsync(await repClient.PostAsync("/api/v1/sales/leads", JsonBody(new { companyName = "给同事", ownerId = otherRep.Id })), HttpStatusCode.Forbidden);

        var (given, _) = await CreateAsync(managerClient, new { companyName = "经理分配", ownerId = otherRep.Id });
        Assert.That(given.OwnerId, Is.EqualTo(otherRep.Id));

        using var admin = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.Admin));
        var unknown = await admin.PostAsync("/api/v1/sales/leads", JsonBody(new { companyName = "无主", ownerId = Guid.CreateVersion7() }));
        Assert.That((await ReadProblemAsync(unknown, (HttpStatusCode)422)).GetProperty("type").GetString(), Does.EndWith("/unknown-owner"));
    }

    [Test]
    public async Task Leads_of_others_are_404_to_reps_but_visible_to_their_manager_and_admins_and_unassigned_leads_to_everyone()
    {
        var team = await TestUsers.CreateTeamAsync(Factory, "华南组", TeamKind.Group);
        var rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, team);
        var manager = await TestUsers.CreateAsync(Factory, Roles.SalesManager, team);
        using var repClient = Factory.ClientFor(rep);
        var (owned, _) = await CreateAsync(repClient, new { companyName = "私有线索", ownerId = rep.Id });
        var (pool, _) = await CreateAsync(repClient, "待分配线索");

        await ReadProblemAsync(await _client.GetAsync($"/api/v1/sales/leads/{owned.Id}"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await _client.SendAsync(Patch(owned.Id, """{"notes":"x"}""")), HttpStatusCode.NotFound);
        await ReadAsync<LeadResponse>(await _client.GetAsync($"/api/v1/sales/leads/{pool.Id}"), HttpStatusCode.OK);
        var othersList = await ListAsync(_client);
        Assert.That(othersList.Items.Select(l => l.Id), Is.EqualTo(new[] { pool.Id }));

        using var managerClient = Factory.ClientFor(manager);
        using var admin = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.Admin));
        await ReadAsync<LeadResponse>(await managerClient.GetAsync($"/api/v1/sales/leads/{owned.Id}"), HttpStatusCode.OK);
        await ReadAsync<LeadResponse>(await admin.GetAsync($"/api/v1/sales/leads/{owned.Id}"), HttpStatusCode.OK);
        await ReadProblemAsync(await _client.GetAsync($"/api/v1/sales/leads/{Guid.CreateVersion7()}"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Users_without_sales_permissions_are_403()
    {
        var (lead, _) = await CreateAsync(_client, "线索");
        using var agent = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.ServiceAgent));
        await ReadProblemAsync(await agent.GetAsync("/api/v1/sales/leads"), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await agent.GetAsync($"/api/v1/sales/leads/{lead.Id}"), HttpStatusCode.Forbidden);

        // Marketing reads leads but does not write them.
        using var marketing = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.Marketing));
        await ReadAsync<LeadResponse>(await marketing.GetAsync($"/api/v1/sales/leads/{lead.Id}"), HttpStatusCode.OK);
        await ReadProblemAsync(await marketing.PostAsync("/api/v1/sales/leads", JsonBody(new { companyName = "x" })), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await marketing.SendAsync(Patch(lead.Id, """{"notes":"x"}""")), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task A_merge_patch_changes_what_it_names_clears_nulls_and_honours_If_Match()
    {
        var (lead, etag) = await CreateAsync(_client, new { companyName = "旧名", personName = "李雷", phones = new[] { "13900000000" }, score = 10, notes = "n" });

        var stale = await _client.SendAsync(Patch(lead.Id, """{"score":50}""", "\"1\""));
        await ReadProblemAsync(stale, HttpStatusCode.PreconditionFailed);

        var response = await _client.SendAsync(Patch(lead.Id, """{"companyName":"新名","phones":null,"score":50,"notes":null,"emails":["li@a.cn"]}""", etag));
        var patched = await ReadAsync<LeadResponse>(response, HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(patched.CompanyName, Is.EqualTo("新名"));
            Assert.That(patched.PersonName, Is.EqualTo("李雷"));
            Assert.That(patched.Phones, Is.Empty);
            Assert.That(patched.Emails, Is.EqualTo(new[] { "li@a.cn" }));
            Assert.That(patched.Score, Is.EqualTo(50));
            Assert.That(patched.Notes, Is.Null);
            Assert.That(response.Headers.ETag!.ToString(), Is.Not.EqualTo(etag));
        });

        var notPatchable = await _client.SendAsync(Patch(lead.Id, """{"ownerId":null,"status":"qualified"}"""));
        var errors = (await ReadProblemAsync(notPatchable, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Multiple(() =>
        {
            Assert.That(errors.TryGetProperty("ownerId", out _), Is.True, errors.ToString());
            Assert.That(errors.TryGetProperty("status", out _), Is.True, errors.ToString());
        });

        var nameless = await _client.SendAsync(Patch(lead.Id, """{"companyName":null,"personName":""}"""));
        Assert.That((await ReadProblemAsync(nameless, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("companyName", out _), Is.True);
        await ReadProblemAsync(await _client.SendAsync(Patch(Guid.CreateVersion7(), """{"notes":"x"}""")), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task A_closed_lead_cannot_be_patched()
    {
        var (lead, _) = await CreateAsync(_client, "要作废的");
        await ReadAsync<LeadResponse>(await _client.SendAsync(Post($"/api/v1/sales/leads/{lead.Id}/disqualify", new { reason = "空号" })), HttpStatusCode.OK);

        var problem = await ReadProblemAsync(await _client.SendAsync(Patch(lead.Id, """{"notes":"x"}""")), HttpStatusCode.Conflict);
        Assert.That(problem.GetProperty("type").GetString(), Does.EndWith("/lead-closed"));
    }

    [Test]
    public async Task An_Idempotency_Key_replays_the_create_instead_of_creating_twice()
    {
        var first = await _client.SendAsync(Post("/api/v1/sales/leads", new { companyName = "重复提交" }, idempotencyKey: "lead-1"));
        var second = await _client.SendAsync(Post("/api/v1/sales/leads", new { companyName = "重复提交" }, idempotencyKey: "lead-1"));
        var a = await ReadAsync<LeadResponse>(first, HttpStatusCode.Created);
        var b = await ReadAsync<LeadResponse>(second, HttpStatusCode.Created);
        var count = await CountAsync("SELECT count(*) FROM sales.leads");
        Assert.Multiple(() =>
        {
            Assert.That(b.Id, Is.EqualTo(a.Id));
            Assert.That(second.Headers.GetValues("Idempotent-Replayed").Single(), Is.EqualTo("true"));
            Assert.That(count, Is.EqualTo(1));
        });
    }
}
