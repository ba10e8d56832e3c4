using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Quotas;
using Crm.SharedKernel.Paging;
using static Crm.IntegrationTests.Sales.Funnel.FunnelApi;

namespace Crm.IntegrationTests.Sales.Funnel;

internal sealed class QuotaTests : IntegrationTest
{
    private Guid _company;
    private Guid _sales;
    private Guid _east;
    private Guid _service;
    private TestUser _rep = null!;
    private TestUser _colleague = null!;
    private TestUser _outsider = null!;
    private TestUser _manager = null!;
    private TestUser _admin = null!;

    [SetUp]
    public async Task CreateOrganisationAsync()
    {
        _company = await TestUsers.CreateTeamAsync(Factory, "公司", TeamKind.Company);
        _sales = await TestUsers.CreateTeamAsync(Factory, "销售部", TeamKind.Department, _company);
        _east = await TestUsers.CreateTeamAsync(Factory, "华东组", TeamKind.Group, _sales);
        _service = await TestUsers.CreateTeamAsync(Factory, "客服部", TeamKind.Department, _company);
        _rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _east);
        _colleague = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _east);
        _outsider = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _service);
        _manager = await TestUsers.CreateAsync(Factory, Roles.SalesManager, _sales);
        _admin = await TestUsers.CreateAsync(Factory, Roles.Admin, _company);
    }

    [Test]
    public async Task A_manager_sets_reads_changes_and_deletes_a_quota_with_its_etag()
    {
        using var client = Factory.ClientFor(_manager);
        var created = await client.PostAsync(Quotas, JsonBody(new { userId = _rep.Id, period = "2026-q4", amountTarget = 1_500_000.50m, newCustomersTarget = 12 }));
        var quota = await ReadAsync<SalesQuotaResponse>(created, HttpStatusCode.Created);
        Assert.Multiple(() =>
        {
            Assert.That(created.Headers.Location!.ToString(), Is.EqualTo($"{Quotas}/{quota.Id}"));
            Assert.That((quota.SubjectKind, quota.UserId, quota.TeamId), Is.EqualTo((QuotaSubjectKind.User, (Guid?)_rep.Id, (Guid?)null)));
            Assert.That((quota.Period, quota.PeriodKind), Is.EqualTo(("2026-Q4", SalesPeriodKind.Quarter)));
            Assert.That((quota.PeriodStart, quota.PeriodEnd), Is.EqualTo((new DateOnly(2026, 10, 1), new DateOnly(2027, 1, 1))));
            Assert.That((quota.AmountTarget, quota.Currency, quota.NewCustomersTarget), Is.EqualTo((1_500_000.50m, "CNY", 12)));
        });

        var read = await client.GetAsync($"{Quotas}/{quota.Id}");
        Assert.That(await ReadAsync<SalesQuotaResponse>(read, HttpStatusCode.OK), Is.EqualTo(quota));
        var etag = read.Headers.ETag!.ToString();
        Assert.That(etag, Is.EqualTo(created.Headers.ETag!.ToString()));

        await ReadProblemAsync(await client.SendAsync(Patch($"{Quotas}/{quota.Id}", """{"amountTarget":1}""", "\"1\"")), HttpStatusCode.PreconditionFailed);
        var patched = await client.SendAsync(Patch($"{Quotas}/{quota.Id}", """{"amountTarget":2000000,"currency":"usd"}""", etag));
        var changed = await ReadAsync<SalesQuotaResponse>(patched, HttpStatusCode.OK);
        Assert.That((changed.AmountTarget, changed.Currency, changed.NewCustomersTarget, changed.Period), Is.EqualTo((2_000_000m, "USD", 12, "2026-Q4")));

        await ReadProblemAsync(await client.SendAsync(Delete($"{Quotas}/{quota.Id}", etag)), HttpStatusCode.PreconditionFailed);
        var deleted = await client.SendAsync(Delete($"{Quotas}/{quota.Id}", patched.Headers.ETag!.ToString()));
        Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        await ReadProblemAsync(await client.GetAsync($"{Quotas}/{quota.Id}"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task A_second_quota_for_the_same_subject_and_period_is_a_409()
    {
        using var client = Factory.ClientFor(_manager);
        await ReadAsync<SalesQuotaResponse>(await client.PostAsync(Quotas, JsonBody(new { teamId = _east, period = "2026-11", amountTarget = 100m })), HttpStatusCode.Created);

        var duplicate = await ReadProblemAsync(await client.PostAsync(Quotas, JsonBody(new { teamId = _east, period = "2026-11", amountTarget = 200m })), HttpStatusCode.Conflict);
        await ReadAsync<SalesQuotaResponse>(await client.PostAsync(Quotas, JsonBody(new { teamId = _east, period = "2026-12", amountTarget = 100m })), HttpStatusCode.Created);
        await ReadAsync<SalesQuotaResponse>(await client.PostAsync(Quotas, JsonBody(new { teamId = _sales, period = "2026-11", amountTarget = 100m })), HttpStatusCode.Created);
        await ReadAsync<SalesQuotaResponse>(await client.PostAsync(Quotas, JsonBody(new { userId = _rep.Id, period = "2026-11", amountTarget = 100m })), HttpStatusCode.Created);

        Assert.That(duplicate.GetProperty("type").GetString(), Is.EqualTo("https://crm.local/problems/duplicate-quota"));
        Assert.That(await CountAsync("SELECT count(*) FROM sales.sales_quotas"), Is.EqualTo(4));
    }

    [Test]
    public async Task Bad_quotas_and_bad_list_filters_are_400_with_the_fields()
    {
        using var client = Factory.ClientFor(_manager);
        var both = await client.PostAsync(Quotas, JsonBody(new { userId = _rep.Id, teamId = _east, period = "2026-13", amountTarget = -1m, currency = "yuan", newCustomersTarget = -1 }));
        var errors = (await ReadProblemAsync(both, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Multiple(() =>
        {
            foreach (var field in new[] { "userId", "period", "amountTarget", "currency", "newCustomersTarget" })
            {
                Assert.That(errors.TryGetProperty(field, out _), Is.True, field + " in " + errors);
            }
        });

        foreach (var period in new[] { "2026-Q5", "2026-00", "26-Q1", "1999", "2026-W48", "" })
        {
            var problem = await ReadProblemAsync(await client.PostAsync(Quotas, JsonBody(new { userId = _rep.Id, period, amountTarget = 1m })), HttpStatusCode.BadRequest);
            Assert.That(problem.GetProperty("errors").TryGetProperty("period", out _), Is.True, period);
        }

        var neither = await ReadProblemAsync(await client.PostAsync(Quotas, JsonBody(new { period = "2026", amountTarget = 1.234m })), HttpStatusCode.BadRequest);
        Assert.That(neither.GetProperty("errors").TryGetProperty("amountTarget", out _), Is.True);
        var created = await ReadAsync<SalesQuotaResponse>(await client.PostAsync(Quotas, JsonBody(new { userId = _rep.Id, period = "2026", amountTarget = 1m })), HttpStatusCode.Created);
        var badPatch = await ReadProblemAsync(await client.SendAsync(Patch($"{Quotas}/{created.Id}", """{"amountTarget":null,"newCustomersTarget":-3}""")), HttpStatusCode.BadRequest);
        Assert.That(badPatch.GetProperty("errors").TryGetProperty("newCustomersTarget", out _), Is.True);

        foreach (var query in new[] { "?period=2026-Q9", "?periodKind=week", "?subjectKind=company", "?year=99", "?sort=amountTarget", "?limit=0" })
        {
            await ReadProblemAsync(await client.GetAsync(Quotas + query), HttpStatusCode.BadRequest);
        }
    }

    [Test]
    public async Task Reps_may_not_set_quotas_and_managers_only_within_their_subtree()
    {
        using var rep = Factory.ClientFor(_rep);
        using var manager = Factory.ClientFor(_manager);
        using var admin = Factory.ClientFor(_admin);

        await ReadProblemAsync(await rep.PostAsync(Quotas, JsonBody(new { userId = _rep.Id, period = "2026-Q4", amountTarget = 1m })), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await manager.PostAsync(Quotas, JsonBody(new { userId = _outsider.Id, period = "2026-Q4", amountTarget = 1m })), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await manager.PostAsync(Quotas, JsonBody(new { teamId = _service, period = "2026-Q4", amountTarget = 1m })), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await manager.PostAsync(Quotas, JsonBody(new { userId = Guid.CreateVersion7(), period = "2026-Q4", amountTarget = 1m })), (HttpStatusCode)422);
        await ReadProblemAsync(await admin.PostAsync(Quotas, JsonBody(new { teamId = Guid.CreateVersion7(), period = "2026-Q4", amountTarget = 1m })), (HttpStatusCode)422);
        var theirs = await ReadAsync<SalesQuotaResponse>(await admin.PostAsync(Quotas, JsonBody(new { userId = _outsider.Id, period = "2026-Q4", amountTarget = 1m })), HttpStatusCode.Created);

        await ReadProblemAsync(await manager.SendAsync(Patch($"{Quotas}/{theirs.Id}", """{"amountTarget":5}""")), HttpStatusCode.NotFound);
        await ReadProblemAsync(await manager.SendAsync(Delete($"{Quotas}/{theirs.Id}")), HttpStatusCode.NotFound);
        await ReadProblemAsync(await rep.SendAsync(Patch($"{Quotas}/{theirs.Id}", """{"amountTarget":5}""")), HttpStatusCode.Forbidden);
        Assert.That(await CountAsync("SELECT count(*) FROM sales.sales_quotas"), Is.EqualTo(1));
    }

    [Test]
    public async Task Reps_read_their_own_and_their_teams_quotas_managers_their_subtrees_and_admins_all()
    {
        using var admin = Factory.ClientFor(_admin);
        async Task<Guid> Create(object body) => (await ReadAsync<SalesQuotaResponse>(await admin.PostAsync(Quotas, JsonBody(body)), HttpStatusCode.Created)).Id;
        var repQuota = await Create(new { userId = _rep.Id, period = "2026-Q4", amountTarget = 100m });
        var colleagueQuota = await Create(new { userId = _colleague.Id, period = "2026-Q4", amountTarget = 200m });
        var eastQuota = await Create(new { teamId = _east, period = "2026-Q4", amountTarget = 300m });
        var salesQuota = await Create(new { teamId = _sales, period = "2026", amountTarget = 400m });
        var serviceQuota = await Create(new { teamId = _service, period = "2026-Q4", amountTarget = 500m });
        var outsiderQuota = await Create(new { userId = _outsider.Id, period = "2026-11", amountTarget = 600m });

        async Task<List<Guid>> List(TestUser user, string query = "")
        {
            using var client = Factory.ClientFor(user);
            return (await ReadAsync<Page<SalesQuotaResponse>>(await client.GetAsync(Quotas + query), HttpStatusCode.OK)).Items.Select(q => q.Id).ToList();
        }

        var mine = await List(_rep);
        var subtree = await List(_manager);
        var all = await List(_admin);
        var byUser = await List(_manager, $"?userId={_colleague.Id}");
        var byTeam = await List(_admin, $"?teamId={_service}");
        var byPeriod = await List(_admin, "?period=2026-q4&subjectKind=team");
        var years = await List(_admin, "?periodKind=year");
        var nextYear = await List(_admin, "?year=2027");
        Assert.Multiple(() =>
        {
            Assert.That(mine, Is.EquivalentTo(new[] { repQuota, eastQuota }));
            Assert.That(subtree, Is.EquivalentTo(new[] { repQuota, colleagueQuota, eastQuota, salesQuota }));
            Assert.That(all, Is.EquivalentTo(new[] { repQuota, colleagueQuota, eastQuota, salesQuota, serviceQuota, outsiderQuota }));
            Assert.That(byUser, Is.EqualTo(new[] { colleagueQuota }));
            Assert.That(byTeam, Is.EqualTo(new[] { serviceQuota }));
            Assert.That(byPeriod, Is.EquivalentTo(new[] { eastQuota, serviceQuota }));
            Assert.That(years, Is.EqualTo(new[] { salesQuota }));
            Assert.That(nextYear, Is.Empty);
        });

        using var rep = Factory.ClientFor(_rep);
        await ReadProblemAsync(await rep.GetAsync($"{Quotas}/{colleagueQuota}"), HttpStatusCode.NotFound);
        await ReadAsync<SalesQuotaResponse>(await rep.GetAsync($"{Quotas}/{eastQuota}"), HttpStatusCode.OK);
    }

    [Test]
    public async Task The_quota_list_pages_by_period_start_with_a_cursor()
    {
        using var admin = Factory.ClientFor(_admin);
        foreach (var period in new[] { "2026-12", "2026-10", "2026-11" })
        {
            await ReadAsync<SalesQuotaResponse>(await admin.PostAsync(Quotas, JsonBody(new { userId = _rep.Id, period, amountTarget = 1m })), HttpStatusCode.Created);
        }

        var first = await ReadAsync<Page<SalesQuotaResponse>>(await admin.GetAsync($"{Quotas}?limit=2&includeTotal=true"), HttpStatusCode.OK);
        var second = await ReadAsync<Page<SalesQuotaResponse>>(await admin.GetAsync($"{Quotas}?limit=2&cursor={first.NextCursor}"), HttpStatusCode.OK);
        var newest = await ReadAsync<Page<SalesQuotaResponse>>(await admin.GetAsync($"{Quotas}?sort=-periodStart&limit=1"), HttpStatusCode.OK);

        Assert.Multiple(() =>
        {
            Assert.That(first.Items.Select(q => q.Period), Is.EqualTo(new[] { "2026-10", "2026-11" }));
            Assert.That(first.Total, Is.EqualTo(3));
            Assert.That(second.Items.Select(q => q.Period), Is.EqualTo(new[] { "2026-12" }));
            Assert.That(second.NextCursor, Is.Null);
            Assert.That(newest.Items.Select(q => q.Period), Is.EqualTo(new[] { "2026-12" }));
        });
    }

    [Test]
    public async Task Setting_a_quota_twice_with_the_same_Idempotency_Key_replays_the_first_answer()
    {
        using var client = Factory.ClientFor(_manager);
        using var first = Post(Quotas, new { userId = _rep.Id, period = "2027-Q1", amountTarget = 10m }, "quota-2027-q1");
        using var second = Post(Quotas, new { userId = _rep.Id, period = "2027-Q1", amountTarget = 10m }, "quota-2027-q1");

        var created = await ReadAsync<SalesQuotaResponse>(await client.SendAsync(first), HttpStatusCode.Created);
        var replay = await client.SendAsync(second);
        var replayed = await ReadAsync<SalesQuotaResponse>(replay, HttpStatusCode.Created);

        Assert.Multiple(() =>
        {
            Assert.That(replayed.Id, Is.EqualTo(created.Id));
            Assert.That(replay.Headers.GetValues("Idempotent-Replayed"), Is.EqualTo(new[] { "true" }));
        });
    }
}
