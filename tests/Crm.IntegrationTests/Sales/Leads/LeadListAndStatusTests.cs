using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Leads;
using static Crm.IntegrationTests.Sales.Leads.LeadApi;

namespace Crm.IntegrationTests.Sales.Leads;

internal sealed class LeadListAndStatusTests : IntegrationTest
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

    private static DateTimeOffset Now => Factory.Time.GetUtcNow();

    private static string Names(LeadPage page) => string.Join(",", page.Items.Select(l => l.CompanyName));

    [Test]
    public async Task The_list_filters_searches_and_pages_by_keyset()
    {
        var partner = await SeedPartnerAsync(Factory.Services, "北方经销");
        await CreateAsync(_client, new { companyName = "阿尔法电子", source = "website", province = "广东省", industry = "电子", phones = new[] { "0755-8888 1234" } });
        Factory.Time.Advance(TimeSpan.FromSeconds(1));
        await CreateAsync(_client, new { companyName = "贝塔物流", source = "referral", province = "浙江省", industry = "物流", partnerId = partner, ownerId = _rep.Id });
        Factory.Time.Advance(TimeSpan.FromSeconds(1));
        await CreateAsync(_client, new { companyName = "伽马食品", personName = "赵敏", source = "website", province = "广东省", industry = "食品", emails = new[] { "zhao@gamma.cn" } });

        var from = Uri.EscapeDataString(Now.AddMinutes(-1).ToString("O"));
        var to = Uri.EscapeDataString(Now.AddMinutes(1).ToString("O"));
        var expectations = new (string Query, string Names)[]
        {
            ("?source=website", "伽马食品,阿尔法电子"),
            ("?province=广东省&industry=电子", "阿尔法电子"),
            ($"?partnerId={partner}", "贝塔物流"),
            ($"?ownerId={_rep.Id}", "贝塔物流"),
            ("?unassigned=true", "伽马食品,阿尔法电子"),
            ("?unassigned=false", "贝塔物流"),
            ("?status=new", "伽马食品,贝塔物流,阿尔法电子"),
            ("?status=qualified", ""),
            ("?q=物流", "贝塔物流"),
            ("?q=赵敏", "伽马食品"),
            ("?q=ZHAO@gamma", "伽马食品"),
            ("?q=8888-1234", "阿尔法电子"),
            ($"?createdFrom={from}&createdTo={to}", "伽马食品,贝塔物流,阿尔法电子"),
            ($"?createdTo={from}", ""),
        };
        foreach (var (query, expected) in expectations)
        {
            Assert.That(Names(await ListAsync(_client, query)), Is.EqualTo(expected), query);
        }

        var first = await ListAsync(_client, "?limit=2&includeTotal=true");
        var rest = await ListAsync(_client, $"?limit=2&cursor={first.NextCursor}");
        Assert.Multiple(() =>
        {
            Assert.That(first.Total, Is.EqualTo(3));
            Assert.That(Names(first), Is.EqualTo("伽马食品,贝塔物流"));
            Assert.That(Names(rest), Is.EqualTo("阿尔法电子"));
            Assert.That(rest.NextCursor, Is.Null);
        });
    }

    [Test]
    public async Task Bad_list_parameters_are_400()
    {
        foreach (var (query, field) in new[] { ("?q=a", "q"), ("?status=won", "status"), ("?sort=score", "sort"), ("?limit=0", "limit") })
        {
            var problem = await ReadProblemAsync(await _client.GetAsync($"/api/v1/sales/leads{query}"), HttpStatusCode.BadRequest);
            Assert.That(problem.ToString(), Does.Contain(field), query);
        }
    }

    [Test]
    public async Task A_follow_up_makes_a_new_lead_contacted_and_the_follow_ups_list_newest_first()
    {
        var (lead, _) = await CreateAsync(_client, "跟进测试");
        var call = await ReadAsync<LeadFollowUpResponse>(await _client.SendAsync(Post($"/api/v1/sales/leads/{lead.Id}/follow-ups",
            new { kind = "call", content = "电话沟通需求", occurredAt = Now.AddHours(-2), nextFollowUpAt = Now.AddDays(2) })), HttpStatusCode.Created);
        await ReadAsync<LeadFollowUpResponse>(await _client.SendAsync(Post($"/api/v1/sales/leads/{lead.Id}/follow-ups",
            new { kind = "note", content = "补记上周的拜访", occurredAt = Now.AddDays(-7) })), HttpStatusCode.Created);

        var contacted = await ReadAsync<LeadResponse>(await _client.GetAsync($"/api/v1/sales/leads/{lead.Id}"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(contacted.Status, Is.EqualTo(LeadStatus.Contacted));
            Assert.That(contacted.LastFollowUpAt, Is.EqualTo(call.OccurredAt));
            Assert.That(call.AuthorId, Is.EqualTo(_rep.Id));
        });

        var page = await ReadAsync<LeadFollowUpPage>(await _client.GetAsync($"/api/v1/sales/leads/{lead.Id}/follow-ups?limit=1"), HttpStatusCode.OK);
        var next = await ReadAsync<LeadFollowUpPage>(await _client.GetAsync($"/api/v1/sales/leads/{lead.Id}/follow-ups?limit=1&cursor={page.NextCursor}"), HttpStatusCode.OK);
        var notes = await ReadAsync<LeadFollowUpPage>(await _client.GetAsync($"/api/v1/sales/leads/{lead.Id}/follow-ups?kind=note"), HttpStatusCode.OK);
        var contactedList = await ListAsync(_client, "?status=contacted");
        Assert.Multiple(() =>
        {
            Assert.That(page.Items.Single().Content, Is.EqualTo("电话沟通需求"));
            Assert.That(next.Items.Single().Content, Is.EqualTo("补记上周的拜访"));
            Assert.That(notes.Items.Select(f => f.Kind), Is.EqualTo(new[] { LeadFollowUpKind.Note }));
            Assert.That(Names(contactedList), Is.EqualTo("跟进测试"));
        });
    }

    [Test]
    public async Task Invalid_follow_ups_are_400_and_invisible_leads_are_404()
    {
        var (lead, _) = await CreateAsync(_client, new { companyName = "我的", ownerId = _rep.Id });
        var response = await _client.SendAsync(Post($"/api/v1/sales/leads/{lead.Id}/follow-ups", new { content = "", occurredAt = Now.AddDays(1), nextFollowUpAt = Now }));
        var errors = (await ReadProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Multiple(() =>
        {
            foreach (var field in new[] { "kind", "content", "occurredAt", "nextFollowUpAt" })
            {
                Assert.That(errors.TryGetProperty(field, out _), Is.True, field + " in " + errors);
            }
        });

        using var other = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesRep));
        await ReadProblemAsync(await other.GetAsync($"/api/v1/sales/leads/{lead.Id}/follow-ups"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await other.SendAsync(Post($"/api/v1/sales/leads/{lead.Id}/follow-ups", new { kind = "note", content = "x", occurredAt = Now })), HttpStatusCode.NotFound);
        await ReadProblemAsync(await other.SendAsync(Post($"/api/v1/sales/leads/{lead.Id}/qualify")), HttpStatusCode.NotFound);
        await ReadProblemAsync(await other.SendAsync(Post($"/api/v1/sales/leads/{lead.Id}/disqualify", new { reason = "x" })), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Qualify_and_disqualify_move_the_status_and_refuse_wrong_transitions_with_409()
    {
        var (lead, etag) = await CreateAsync(_client, "状态机");
        await ReadProblemAsync(await _client.SendAsync(Post($"/api/v1/sales/leads/{lead.Id}/qualify", ifMatch: "\"1\"")), HttpStatusCode.PreconditionFailed);

        var qualified = await ReadAsync<LeadResponse>(await _client.SendAsync(Post($"/api/v1/sales/leads/{lead.Id}/qualify", ifMatch: etag)), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(qualified.Status, Is.EqualTo(LeadStatus.Qualified));
            Assert.That(qualified.QualifiedAt, Is.EqualTo(Now));
        });

        // A follow-up of a qualified lead leaves it qualified.
        await ReadAsync<LeadFollowUpResponse>(await _client.SendAsync(Post($"/api/v1/sales/leads/{lead.Id}/follow-ups",
            new { kind = "visit", content = "上门", occurredAt = Now })), HttpStatusCode.Created);
        var again = await ReadProblemAsync(await _client.SendAsync(Post($"/api/v1/sales/leads/{lead.Id}/qualify")), HttpStatusCode.Conflict);
        Assert.That(again.GetProperty("type").GetString(), Does.EndWith("/invalid-lead-transition"));

        var noReason = await ReadProblemAsync(await _client.SendAsync(Post($"/api/v1/sales/leads/{lead.Id}/disqualify", new { reason = " " })), HttpStatusCode.BadRequest);
        Assert.That(noReason.GetProperty("errors").TryGetProperty("reason", out _), Is.True);

        var disqualified = await ReadAsync<LeadResponse>(await _client.SendAsync(Post($"/api/v1/sales/leads/{lead.Id}/disqualify", new { reason = " 预算不足 " })), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(disqualified.Status, Is.EqualTo(LeadStatus.Disqualified));
            Assert.That(disqualified.DisqualificationReason, Is.EqualTo("预算不足"));
            Assert.That(disqualified.DisqualifiedAt, Is.EqualTo(Now));
        });

        await ReadProblemAsync(await _client.SendAsync(Post($"/api/v1/sales/leads/{lead.Id}/disqualify", new { reason = "再次" })), HttpStatusCode.Conflict);
        await ReadProblemAsync(await _client.SendAsync(Post($"/api/v1/sales/leads/{lead.Id}/qualify")), HttpStatusCode.Conflict);
        var closed = await ReadProblemAsync(await _client.SendAsync(Post($"/api/v1/sales/leads/{lead.Id}/follow-ups", new { kind = "note", content = "x", occurredAt = Now })), HttpStatusCode.Conflict);
        Assert.That(closed.GetProperty("type").GetString(), Does.EndWith("/lead-closed"));
        await ReadProblemAsync(await _client.SendAsync(Post($"/api/v1/sales/leads/{Guid.CreateVersion7()}/qualify")), HttpStatusCode.NotFound);
    }
}
