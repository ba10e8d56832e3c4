using System.Globalization;
using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Commissions;
using Crm.Modules.Sales.Features.Contracts;
using Crm.Modules.Sales.Features.ExchangeRates;
using Crm.Modules.Sales.Features.Payments;
using Crm.SharedKernel.Paging;
using static Crm.IntegrationTests.Sales.Cash.CashApi;

namespace Crm.IntegrationTests.Sales.Cash;

internal sealed class FrozenCommissionStatementTests : IntegrationTest
{
    private const string October = "2026-10";

    private Guid _company;
    private Guid _salesTeam;
    private Guid _eastTeam;
    private TestUser _admin = null!;
    private TestUser _manager = null!;
    private TestUser _otherManager = null!;
    private TestUser _east = null!;
    private TestUser _south = null!;
    private HttpClient _adminClient = null!;
    private HttpClient _managerClient = null!;

    [SetUp]
    public async Task CreateOrganisationAsync()
    {
        var company = _company = await TestUsers.CreateTeamAsync(Factory, "公司", TeamKind.Company);
        var sales = _salesTeam = await TestUsers.CreateTeamAsync(Factory, "销售部", TeamKind.Department, company);
        var east = _eastTeam = await TestUsers.CreateTeamAsync(Factory, "华东组", TeamKind.Group, sales);
        _admin = await TestUsers.CreateAsync(Factory, Roles.Admin, company);
        _manager = await TestUsers.CreateAsync(Factory, Roles.SalesManager, sales);
        _otherManager = await TestUsers.CreateAsync(Factory, Roles.SalesManager, sales);
        _east = await TestUsers.CreateAsync(Factory, Roles.SalesRep, east);
        _south = await TestUsers.CreateAsync(Factory, Roles.SalesRep, sales);
        _adminClient = Factory.ClientFor(_admin);
        _managerClient = Factory.ClientFor(_manager);
    }

    [TearDown]
    public void DisposeClients()
    {
        _adminClient.Dispose();
        _managerClient.Dispose();
    }

    private static string StatementPath(TestUser rep, string period, string action = "") =>
        $"/api/v1/sales/commissions/statements/{rep.Id}/{period}{(action.Length == 0 ? string.Empty : "/" + action)}";

    private static HttpRequestMessage Post(string path, string? ifMatch, object? body = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonBody(body) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return request;
    }

    private async Task<Guid> DefaultRuleAsync(decimal ratePercent) =>
        (await ReadAsync<CommissionRuleResponse>(
            await _adminClient.PostAsync("/api/v1/sales/commission-rules", JsonBody(new { ratePercent })), HttpStatusCode.Created)).Id;

    /// <summary>A signed contract of <paramref name="rep"/> with a receipt on each of <paramref name="days"/> (1,000 each).</summary>
    private async Task PayAsync(TestUser rep, params DateOnly[] days)
    {
        using var client = Factory.ClientFor(rep);
        var contract = await SignedContractAsync(client, await CustomerOfAsync(Factory, rep, $"客户{rep.Id:N}"), 100_000m, "软件");
        foreach (var day in days)
        {
            await ReadAsync<ReceiptResponse>(
                await client.PostAsync("/api/v1/sales/receipts", JsonBody(new { contractId = contract.Id, amount = 1_000m, receivedDate = day, method = "bankTransfer" })),
                HttpStatusCode.Created);
        }
    }

    private async Task<(FrozenCommissionStatementResponse Statement, string ETag)> FreezeAsync(HttpClient client, TestUser rep, string period = October)
    {
        var response = await client.PostAsync(StatementPath(rep, period, "freeze"), null);
        return (await ReadAsync<FrozenCommissionStatementResponse>(response, HttpStatusCode.Created), response.Headers.ETag!.ToString());
    }

    private static async Task<CommissionRepStatementResponse> StatementOfAsync(HttpClient client, TestUser rep, string period = October) =>
        (await ReadAsync<CommissionStatementResponse>(
            await client.GetAsync($"/api/v1/sales/commissions/statements?period={period}&ownerId={rep.Id}"), HttpStatusCode.OK)).Reps.Single();

    [Test]
    public async Task A_frozen_statement_keeps_its_lines_and_totals_when_rules_change_or_are_deleted()
    {
        var rule = await DefaultRuleAsync(3m);
        await PayAsync(_east, new DateOnly(2026, 10, 5), new DateOnly(2026, 10, 31), new DateOnly(2026, 11, 1));
        await PayAsync(_south, new DateOnly(2026, 10, 6));

        var response = await _managerClient.PostAsync(StatementPath(_east, October, "freeze"), null);
        var frozen = await ReadAsync<FrozenCommissionStatementResponse>(response, HttpStatusCode.Created);
        var etag = response.Headers.ETag!.ToString();

        var ruleResponse = await _adminClient.GetAsync($"/api/v1/sales/commission-rules/{rule}");
        var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/sales/commission-rules/{rule}") { Content = JsonBody(new { ratePercent = 10m }) };
        patch.Headers.TryAddWithoutValidation("If-Match", ruleResponse.Headers.ETag!.ToString());
        Assert.That((await _adminClient.SendAsync(patch)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var east = await StatementOfAsync(_managerClient, _east);
        var south = await StatementOfAsync(_managerClient, _south);
        var fetched = await _managerClient.GetAsync(StatementPath(_east, October));

        Assert.Multiple(async () =>
        {
            Assert.That(response.Headers.Location!.ToString(), Is.EqualTo(StatementPath(_east, October)));
            Assert.That(frozen.Status, Is.EqualTo(CommissionStatementStatus.Frozen));
            Assert.That(frozen.Period, Is.EqualTo(October));
            Assert.That(frozen.UserId, Is.EqualTo(_east.Id));
            Assert.That(frozen.FrozenBy, Is.EqualTo(_manager.Id));
            Assert.That(frozen.LineCount, Is.EqualTo(2), "the November receipt is not October's");
            Assert.That(frozen.ReceivedAmount, Is.EqualTo(2_000m));
            Assert.That(frozen.CommissionTotal, Is.EqualTo(60m));
            Assert.That(frozen.Lines!.Select(l => (l.RatePercent, l.Commission)), Is.EqualTo(new[] { ((decimal?)3m, 30m), (3m, 30m) }));
            Assert.That(await CountAsync($"SELECT count(*) FROM sales.commission_statement_lines l JOIN sales.commission_statements s ON s.id = l.statement_id WHERE s.user_id = '{_east.Id}'"),
                Is.EqualTo(2));

            Assert.That(east.Status, Is.EqualTo(CommissionStatementStatus.Frozen), "the frozen copy answers");
            Assert.That(east.FrozenBy, Is.EqualTo(_manager.Id));
            Assert.That(east.FrozenAt, Is.EqualTo(frozen.FrozenAt));
            Assert.That(east.CommissionTotal, Is.EqualTo(60m));
            Assert.That(east.Lines.Select(l => l.Commission), Is.EqualTo(new[] { 30m, 30m }));
            Assert.That(south.Status, Is.EqualTo(CommissionStatementStatus.Computed));
            Assert.That(south.FrozenAt, Is.Null);
            Assert.That(south.CommissionTotal, Is.EqualTo(100m), "an unfrozen month follows the changed rule");

            Assert.That(fetched.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(fetched.Headers.ETag!.ToString(), Is.EqualTo(etag));
        });

        var current = await _adminClient.GetAsync($"/api/v1/sales/commission-rules/{rule}");
        var delete = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/sales/commission-rules/{rule}");
        delete.Headers.TryAddWithoutValidation("If-Match", current.Headers.ETag!.ToString());
        Assert.That((await _adminClient.SendAsync(delete)).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        var afterDelete = await StatementOfAsync(_adminClient, _east);
        Assert.Multiple(() =>
        {
            Assert.That(afterDelete.CommissionTotal, Is.EqualTo(60m));
            Assert.That(afterDelete.Lines.Select(l => l.RuleId), Is.All.EqualTo(rule), "the lines keep the rule they were computed with");
        });
    }

    [Test]
    public async Task Receipts_in_other_currencies_count_in_cny_at_their_received_day_rate_computed_reversed_and_frozen()
    {
        await ReadAsync<ExchangeRateResponse>(await _adminClient.SendAsync(ExchangeRateTests.Put("USD", "2026-10-01", new { rate = 7.0m, source = "PBOC" })), HttpStatusCode.Created);
        await ReadAsync<ExchangeRateResponse>(await _adminClient.SendAsync(ExchangeRateTests.Put("USD", "2026-10-20", new { rate = 7.1m, source = "PBOC" })), HttpStatusCode.Created);
        await DefaultRuleAsync(3m);
        await PayAsync(_east, new DateOnly(2026, 10, 6));
        using var rep = Factory.ClientFor(_east);
        var customer = await CustomerOfAsync(Factory, _east, "深圳外贸有限公司");
        var draft = await ReadAsync<ContractResponse>(await rep.PostAsync("/api/v1/sales/contracts", JsonBody(new
        {
            customerId = customer, title = "出口设备合同", amount = 10_000m, currency = "USD", startDate = new DateOnly(2026, 10, 1), endDate = new DateOnly(2027, 9, 30),
        })), HttpStatusCode.Created);
        await ReadAsync<ContractResponse>(await rep.SendAsync(Sign(draft.Id, null, new DateOnly(2026, 10, 1))), HttpStatusCode.OK);
        async Task<ReceiptResponse> ReceiveAsync(decimal amount, DateOnly day) => await ReadAsync<ReceiptResponse>(
            await rep.PostAsync("/api/v1/sales/receipts", JsonBody(new { contractId = draft.Id, amount, receivedDate = day, method = "bankTransfer" })), HttpStatusCode.Created);
        var early = await ReceiveAsync(100.01m, new DateOnly(2026, 10, 5));
        var late = await ReceiveAsync(200m, new DateOnly(2026, 10, 25));

        // A rate replaced after the receipts were recorded changes nothing: each receipt keeps the rate it was booked at.
        await ReadAsync<ExchangeRateResponse>(await _adminClient.SendAsync(ExchangeRateTests.Put("USD", "2026-10-01", new { rate = 9m, source = "fix" }, "*")), HttpStatusCode.OK);
        await ReadAsync<ReceiptResponse>(await rep.PostAsync($"/api/v1/sales/receipts/{late.Id}/reverse", JsonBody(new { reason = "退票" })), HttpStatusCode.OK);

        var computed = await ReadAsync<CommissionStatementResponse>(
            await _managerClient.GetAsync($"/api/v1/sales/commissions/statements?period={October}&ownerId={_east.Id}"), HttpStatusCode.OK);
        var november = await StatementOfAsync(_managerClient, _east, Factory.Time.GetUtcNow().ToString("yyyy-MM", CultureInfo.InvariantCulture));
        var (frozen, _) = await FreezeAsync(_managerClient, _east);
        var october = computed.Reps.Single();
        Assert.Multiple(() =>
        {
            Assert.That(computed.Currency, Is.EqualTo("CNY"));
            Assert.That(october.Lines.Select(l => (l.Amount, l.Currency, l.CnyRate, l.CnyAmount, l.Commission)), Is.EqualTo(new[]
            {
                (100.01m, "USD", 7m, 700.07m, 21m),
                (1_000m, "CNY", 1m, 1_000m, 30m),
                (200m, "USD", 7.1m, 1_420m, 42.6m),
            }));
            Assert.That((october.ReceivedAmount, october.ReversedAmount, october.NetAmount, october.CommissionTotal), Is.EqualTo((3_120.07m, 0m, 3_120.07m, 93.6m)));
            Assert.That(november.Lines.Select(l => (l.ReceiptId, l.Kind, l.Amount, l.CnyAmount, l.Commission)),
                Is.EqualTo(new[] { (late.Id, CommissionLineKind.Reversal, -200m, -1_420m, -42.6m) }), "a reversal takes back the receipt's CNY amount");
            Assert.That((november.ReversedAmount, november.CommissionTotal), Is.EqualTo((1_420m, -42.6m)));

            Assert.That((frozen.Currency, frozen.ReceivedAmount, frozen.CommissionTotal, frozen.LineCount), Is.EqualTo(("CNY", 3_120.07m, 93.6m, 3)));
            Assert.That(frozen.Lines!.Select(l => (l.ReceiptId, l.CnyRate, l.CnyAmount, l.Commission)), Is.EqualTo(new[]
            {
                (early.Id, 7m, 700.07m, 21m), (october.Lines[1].ReceiptId, 1m, 1_000m, 30m), (late.Id, 7.1m, 1_420m, 42.6m),
            }));
        });
    }

    private const string TeamFreezePath = "/api/v1/sales/commissions/statements/freeze";

    private static async Task<TeamFreezeResponse> FreezeTeamAsync(HttpClient client, Guid teamId, string period = October) =>
        await ReadAsync<TeamFreezeResponse>(await client.PostAsync(TeamFreezePath, JsonBody(new { teamId, period })), HttpStatusCode.OK);

    [Test]
    public async Task A_team_freeze_freezes_every_member_of_the_subtree_at_once_skips_the_frozen_and_is_idempotent()
    {
        await DefaultRuleAsync(3m);
        await PayAsync(_east, new DateOnly(2026, 10, 5), new DateOnly(2026, 10, 31));
        await PayAsync(_south, new DateOnly(2026, 10, 6), new DateOnly(2026, 11, 2));
        var (single, _) = await FreezeAsync(_adminClient, _east);

        var first = await FreezeTeamAsync(_managerClient, _salesTeam);
        var second = await FreezeTeamAsync(_managerClient, _salesTeam);
        var south = await StatementOfAsync(_managerClient, _south);
        var expected = new[] { _manager.Id, _otherManager.Id, _east.Id, _south.Id }.Order().ToArray();

        Assert.Multiple(async () =>
        {
            Assert.That((first.TeamId, first.Period, first.From, first.To, first.Currency), Is.EqualTo((_salesTeam, October, new DateOnly(2026, 10, 1), new DateOnly(2026, 10, 31), "CNY")));
            Assert.That((first.FrozenCount, first.SkippedCount), Is.EqualTo((3, 1)));
            Assert.That(first.Reps.Select(r => r.UserId), Is.EqualTo(expected), "the department and its group, by user id");
            Assert.That(first.Reps.Single(r => r.UserId == _east.Id), Is.EqualTo(new TeamFreezeRepResponse(
                _east.Id, TeamFreezeOutcome.Skipped, single.Id, CommissionStatementStatus.Frozen, 2_000m, 60m, 2, single.FrozenAt, _admin.Id)), "frozen before: left as it was");
            var frozenSouth = first.Reps.Single(r => r.UserId == _south.Id);
            Assert.That((frozenSouth.Outcome, frozenSouth.Status, frozenSouth.NetAmount, frozenSouth.CommissionTotal, frozenSouth.LineCount, frozenSouth.FrozenBy),
                Is.EqualTo((TeamFreezeOutcome.Frozen, CommissionStatementStatus.Frozen, 1_000m, 30m, 1, _manager.Id)), "the November receipt is not October's");
            Assert.That(first.Reps.Single(r => r.UserId == _otherManager.Id).LineCount, Is.EqualTo(0), "a member without receipts gets an empty statement");

            Assert.That((second.FrozenCount, second.SkippedCount), Is.EqualTo((0, 4)), "a repeated call changes nothing");
            Assert.That(second.Reps.Select(r => (r.UserId, r.StatementId)), Is.EqualTo(first.Reps.Select(r => (r.UserId, r.StatementId))));
            Assert.That(second.Reps.Select(r => r.Outcome), Is.All.EqualTo(TeamFreezeOutcome.Skipped));

            Assert.That((south.Status, south.CommissionTotal, south.Lines.Count), Is.EqualTo((CommissionStatementStatus.Frozen, 30m, 1)), "the statement GET answers with the frozen copy");
            Assert.That(await CountAsync("SELECT count(*) FROM sales.commission_statements"), Is.EqualTo(4));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.commission_statement_lines"), Is.EqualTo(3));
            Assert.That(await CountAsync(
                $"SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'commissionStatement' AND action = 'created' AND actor_id = '{_manager.Id}'"),
                Is.EqualTo(3), "each statement frozen by the team call is audited like a single freeze");
        });
    }

    [Test]
    public async Task A_team_freeze_is_for_managers_of_the_team_and_admins_and_checks_its_input()
    {
        var west = await TestUsers.CreateTeamAsync(Factory, "华西组", TeamKind.Group, _company);
        var westManager = await TestUsers.CreateAsync(Factory, Roles.SalesManager, west);
        await PayAsync(_east, new DateOnly(2026, 10, 5));
        using var westClient = Factory.ClientFor(westManager);
        using var rep = Factory.ClientFor(_east);
        var current = Factory.Time.GetUtcNow().ToString("yyyy-MM", CultureInfo.InvariantCulture);

        await ReadProblemAsync(await westClient.PostAsync(TeamFreezePath, JsonBody(new { teamId = _salesTeam, period = October })), HttpStatusCode.NotFound);
        await ReadProblemAsync(await rep.PostAsync(TeamFreezePath, JsonBody(new { teamId = _eastTeam, period = October })), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await _managerClient.PostAsync(TeamFreezePath, JsonBody(new { teamId = Guid.CreateVersion7(), period = October })), HttpStatusCode.NotFound);
        var running = await _managerClient.PostAsync(TeamFreezePath, JsonBody(new { teamId = _salesTeam, period = current }));
        Assert.That((await ReadProblemAsync(running, HttpStatusCode.UnprocessableEntity)).GetProperty("type").GetString(), Does.EndWith("commission-period-open"));
        var bad = await ReadProblemAsync(await _managerClient.PostAsync(TeamFreezePath, JsonBody(new { period = "2026-13" })), HttpStatusCode.BadRequest);
        Assert.That(await CountAsync("SELECT count(*) FROM sales.commission_statements"), Is.EqualTo(0), "nothing is frozen by refused calls");

        var group = await FreezeTeamAsync(_adminClient, _eastTeam);
        var westTeam = await FreezeTeamAsync(westClient, west);
        Assert.Multiple(() =>
        {
            Assert.That(bad.GetProperty("errors").TryGetProperty("teamId", out _), Is.True);
            Assert.That(bad.GetProperty("errors").TryGetProperty("period", out _), Is.True);
            Assert.That(group.Reps.Select(r => (r.UserId, r.Outcome, r.LineCount)), Is.EqualTo(new[] { (_east.Id, TeamFreezeOutcome.Frozen, 1) }), "an administrator freezes any team");
            Assert.That(westTeam.Reps.Select(r => r.UserId), Is.EqualTo(new[] { westManager.Id }), "a manager freezes their own team");
        });
    }

    [Test]
    public async Task Freezing_twice_is_409_a_running_month_422_a_bad_period_400_and_reps_are_403()
    {
        await PayAsync(_east, new DateOnly(2026, 10, 5));
        await FreezeAsync(_managerClient, _east);
        var current = Factory.Time.GetUtcNow().ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var next = Factory.Time.GetUtcNow().AddMonths(1).ToString("yyyy-MM", CultureInfo.InvariantCulture);
        using var rep = Factory.ClientFor(_east);

        var twice = await _adminClient.PostAsync(StatementPath(_east, October, "freeze"), null);
        Assert.That((await ReadProblemAsync(twice, HttpStatusCode.Conflict)).GetProperty("type").GetString(), Does.EndWith("commission-statement-frozen"));
        foreach (var open in new[] { current, next })
        {
            var running = await _managerClient.PostAsync(StatementPath(_south, open, "freeze"), null);
            Assert.That((await ReadProblemAsync(running, HttpStatusCode.UnprocessableEntity)).GetProperty("type").GetString(), Does.EndWith("commission-period-open"));
        }

        var bad = await _managerClient.PostAsync(StatementPath(_south, "2026-13", "freeze"), null);
        Assert.That((await ReadProblemAsync(bad, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("period", out _), Is.True);
        await ReadProblemAsync(await rep.PostAsync(StatementPath(_east, "2026-09", "freeze"), null), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await _managerClient.PostAsync($"/api/v1/sales/commissions/statements/{Guid.CreateVersion7()}/{October}/freeze", null), HttpStatusCode.NotFound);
        await ReadProblemAsync(await _managerClient.GetAsync(StatementPath(_south, October)), HttpStatusCode.NotFound);
        Assert.That(await CountAsync("SELECT count(*) FROM sales.commission_statements"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_month_without_receipts_freezes_as_an_empty_statement()
    {
        var (statement, _) = await FreezeAsync(_managerClient, _south, "2026-09");
        var read = await StatementOfAsync(_managerClient, _south, "2026-09");
        Assert.Multiple(() =>
        {
            Assert.That(statement.LineCount, Is.EqualTo(0));
            Assert.That(statement.CommissionTotal, Is.EqualTo(0m));
            Assert.That(read.Status, Is.EqualTo(CommissionStatementStatus.Frozen), "a frozen rep appears even without lines");
            Assert.That(read.Lines, Is.Empty);
        });
    }

    [Test]
    public async Task Approval_needs_a_second_person_honours_If_Match_and_raises_an_event()
    {
        await DefaultRuleAsync(2m);
        await PayAsync(_east, new DateOnly(2026, 10, 5));
        var (_, etag) = await FreezeAsync(_managerClient, _east);
        using var other = Factory.ClientFor(_otherManager);
        using var rep = Factory.ClientFor(_east);

        var self = await _managerClient.SendAsync(Post(StatementPath(_east, October, "approve"), etag));
        Assert.That((await ReadProblemAsync(self, HttpStatusCode.Forbidden)).GetProperty("type").GetString(), Does.EndWith("commission-four-eyes"));
        await ReadProblemAsync(await rep.SendAsync(Post(StatementPath(_east, October, "approve"), etag)), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await other.SendAsync(Post(StatementPath(_east, October, "approve"), "\"1\"")), HttpStatusCode.PreconditionFailed);

        var approvedResponse = await other.SendAsync(Post(StatementPath(_east, October, "approve"), etag));
        var approved = await ReadAsync<FrozenCommissionStatementResponse>(approvedResponse, HttpStatusCode.OK);
        var again = await _adminClient.SendAsync(Post(StatementPath(_east, October, "approve"), null));
        var read = await StatementOfAsync(rep, _east);

        Assert.Multiple(async () =>
        {
            Assert.That(approved.Status, Is.EqualTo(CommissionStatementStatus.Approved));
            Assert.That(approved.ApprovedBy, Is.EqualTo(_otherManager.Id));
            Assert.That(approved.ApprovedAt, Is.Not.Null);
            Assert.That(approvedResponse.Headers.ETag!.ToString(), Is.Not.EqualTo(etag));
            Assert.That((await ReadProblemAsync(again, HttpStatusCode.Conflict)).GetProperty("type").GetString(), Does.EndWith("commission-statement-approved"));
            Assert.That(read.Status, Is.EqualTo(CommissionStatementStatus.Approved), "the rep sees their approved statement");
            Assert.That(read.ApprovedBy, Is.EqualTo(_otherManager.Id));
            Assert.That(await CountAsync(
                $"SELECT count(*) FROM sales.outbox_messages WHERE type LIKE '%CommissionStatementApproved%' AND payload::text LIKE '%{_otherManager.Id}%' AND payload::text LIKE '%2026-10%'"),
                Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'commissionStatement' AND entity_id = '{approved.Id}'"),
                Is.EqualTo(2), "frozen, then approved");
        });
    }

    [Test]
    public async Task An_administrator_approves_a_statement_they_froze_themselves()
    {
        var (_, etag) = await FreezeAsync(_adminClient, _south);
        var approved = await ReadAsync<FrozenCommissionStatementResponse>(
            await _adminClient.SendAsync(Post(StatementPath(_south, October, "approve"), etag)), HttpStatusCode.OK);
        Assert.That(approved.ApprovedBy, Is.EqualTo(_admin.Id));
    }

    [Test]
    public async Task Only_administrators_reopen_with_a_reason_which_is_audited_and_the_month_is_computed_again()
    {
        var rule = await DefaultRuleAsync(2m);
        await PayAsync(_east, new DateOnly(2026, 10, 5));
        var (frozen, etag) = await FreezeAsync(_managerClient, _east);

        await ReadProblemAsync(await _managerClient.SendAsync(Post(StatementPath(_east, October, "reopen"), etag, new { reason = "规则有误" })), HttpStatusCode.Forbidden);
        var noReason = await _adminClient.SendAsync(Post(StatementPath(_east, October, "reopen"), etag, new { reason = " " }));
        Assert.That((await ReadProblemAsync(noReason, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("reason", out _), Is.True);
        await ReadProblemAsync(await _adminClient.SendAsync(Post(StatementPath(_east, October, "reopen"), "\"1\"", new { reason = "规则有误" })), HttpStatusCode.PreconditionFailed);

        var reopened = await _adminClient.SendAsync(Post(StatementPath(_east, October, "reopen"), etag, new { reason = "规则有误" }));
        Assert.That(reopened.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await reopened.Content.ReadAsStringAsync());
        var computed = await StatementOfAsync(_managerClient, _east);

        Assert.Multiple(async () =>
        {
            Assert.That(computed.Status, Is.EqualTo(CommissionStatementStatus.Computed));
            Assert.That(computed.Lines.Single().RuleId, Is.EqualTo(rule));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.commission_statements"), Is.EqualTo(0));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.commission_statement_lines"), Is.EqualTo(0));
            Assert.That(await CountAsync(
                $"SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'commissionStatement' AND action = 'deleted' AND owner_id = '{_east.Id}' " +
                $"AND changes::text LIKE '%规则有误%' AND changes::text LIKE '%{frozen.Id}%'"), Is.EqualTo(1));
            await ReadProblemAsync(await _adminClient.SendAsync(Post(StatementPath(_east, October, "reopen"), null, new { reason = "再次" })), HttpStatusCode.NotFound);
        });

        using var otherManager = Factory.ClientFor(_otherManager);
        var (refrozen, _) = await FreezeAsync(otherManager, _east);
        Assert.That(refrozen.Id, Is.Not.EqualTo(frozen.Id), "a reopened month can be frozen again");
    }

    private static Task<long> EventsAsync(string type, string where = "true") =>
        CountAsync($"SELECT count(*) FROM sales.outbox_messages WHERE type = 'Crm.Modules.Sales.Contracts.{type}' AND {where}");

    [Test]
    public async Task Freezing_raises_CommissionStatementFrozen_per_statement_frozen_alone_or_team_wide_and_nothing_for_skipped_or_refused_ones()
    {
        await DefaultRuleAsync(3m);
        await PayAsync(_east, new DateOnly(2026, 10, 5), new DateOnly(2026, 10, 31));
        await PayAsync(_south, new DateOnly(2026, 10, 6));
        var (single, _) = await FreezeAsync(_adminClient, _east);
        Assert.That(await EventsAsync("CommissionStatementFrozen",
            $"payload->>'statementId' = '{single.Id}' AND payload->>'userId' = '{_east.Id}' AND payload->>'period' = '{October}' "
            + "AND (payload->>'receivedAmount')::numeric = 2000 AND (payload->>'reversedAmount')::numeric = 0 AND (payload->>'netAmount')::numeric = 2000 "
            + $"AND (payload->>'commissionTotal')::numeric = 60 AND (payload->>'lineCount')::int = 2 AND payload->>'frozenBy' = '{_admin.Id}'"), Is.EqualTo(1));

        var first = await FreezeTeamAsync(_managerClient, _salesTeam);
        await FreezeTeamAsync(_managerClient, _salesTeam);
        await ReadProblemAsync(await _managerClient.PostAsync(StatementPath(_south, October, "freeze"), null), HttpStatusCode.Conflict);
        var south = first.Reps.Single(r => r.UserId == _south.Id);

        Assert.Multiple(async () =>
        {
            Assert.That(await EventsAsync("CommissionStatementFrozen"), Is.EqualTo(4), "one per statement the calls froze: the single one and the team's other three");
            Assert.That(await EventsAsync("CommissionStatementFrozen", $"payload->>'frozenBy' = '{_manager.Id}'"), Is.EqualTo(3));
            Assert.That(await EventsAsync("CommissionStatementFrozen",
                $"payload->>'statementId' = '{south.StatementId}' AND payload->>'userId' = '{_south.Id}' AND (payload->>'netAmount')::numeric = 1000 "
                + "AND (payload->>'commissionTotal')::numeric = 30 AND (payload->>'lineCount')::int = 1"), Is.EqualTo(1));
            Assert.That(await EventsAsync("CommissionStatementFrozen", $"payload->>'userId' = '{_otherManager.Id}' AND (payload->>'lineCount')::int = 0"),
                Is.EqualTo(1), "an empty statement is frozen too");
        });
    }

    [Test]
    public async Task Reopening_raises_CommissionStatementReopened_with_what_was_deleted_who_reopened_it_and_why()
    {
        await DefaultRuleAsync(2m);
        await PayAsync(_east, new DateOnly(2026, 10, 5));
        var (frozen, etag) = await FreezeAsync(_managerClient, _east);
        var approval = await _adminClient.SendAsync(Post(StatementPath(_east, October, "approve"), etag));
        await ReadAsync<FrozenCommissionStatementResponse>(approval, HttpStatusCode.OK);
        etag = approval.Headers.ETag!.ToString();

        await ReadProblemAsync(await _managerClient.SendAsync(Post(StatementPath(_east, October, "reopen"), etag, new { reason = "规则有误" })), HttpStatusCode.Forbidden);
        var reopened = await _adminClient.SendAsync(Post(StatementPath(_east, October, "reopen"), etag, new { reason = " 规则有误 " }));
        Assert.That(reopened.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await reopened.Content.ReadAsStringAsync());

        Assert.Multiple(async () =>
        {
            Assert.That(await EventsAsync("CommissionStatementReopened"), Is.EqualTo(1), "a refused reopening raises nothing");
            Assert.That(await EventsAsync("CommissionStatementReopened",
                $"payload->>'statementId' = '{frozen.Id}' AND payload->>'userId' = '{_east.Id}' AND payload->>'period' = '{October}' "
                + $"AND payload->>'status' = 'approved' AND (payload->>'commissionTotal')::numeric = 20 AND payload->>'frozenBy' = '{_manager.Id}' "
                + $"AND payload->>'approvedBy' = '{_admin.Id}' AND payload->>'reopenedBy' = '{_admin.Id}' AND payload->>'reason' = '规则有误'"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task The_frozen_list_is_keyset_paged_filtered_and_limited_to_what_the_caller_sees()
    {
        foreach (var period in new[] { "2026-08", "2026-09", October })
        {
            await FreezeAsync(_managerClient, _east, period);
        }

        var (_, southEtag) = await FreezeAsync(_managerClient, _south);
        using var other = Factory.ClientFor(_otherManager);
        await ReadAsync<FrozenCommissionStatementResponse>(await other.SendAsync(Post(StatementPath(_south, October, "approve"), southEtag)), HttpStatusCode.OK);
        using var rep = Factory.ClientFor(_east);

        var first = await ReadAsync<Page<FrozenCommissionStatementResponse>>(
            await _managerClient.GetAsync("/api/v1/sales/commissions/statements/frozen?limit=2&includeTotal=true"), HttpStatusCode.OK);
        var second = await ReadAsync<Page<FrozenCommissionStatementResponse>>(
            await _managerClient.GetAsync($"/api/v1/sales/commissions/statements/frozen?limit=2&cursor={Uri.EscapeDataString(first.NextCursor!)}"), HttpStatusCode.OK);
        var approved = await ReadAsync<Page<FrozenCommissionStatementResponse>>(
            await _managerClient.GetAsync("/api/v1/sales/commissions/statements/frozen?status=approved"), HttpStatusCode.OK);
        var east = await ReadAsync<Page<FrozenCommissionStatementResponse>>(
            await _managerClient.GetAsync($"/api/v1/sales/commissions/statements/frozen?userId={_east.Id}&period=2026-09"), HttpStatusCode.OK);
        var own = await ReadAsync<Page<FrozenCommissionStatementResponse>>(
            await rep.GetAsync("/api/v1/sales/commissions/statements/frozen?sort=frozenAt"), HttpStatusCode.OK);

        Assert.Multiple(async () =>
        {
            Assert.That(first.Total, Is.EqualTo(4));
            Assert.That(first.Items.Concat(second.Items).Select(s => s.Period), Is.EqualTo(new[] { October, October, "2026-09", "2026-08" }));
            Assert.That(second.NextCursor, Is.Null);
            Assert.That(first.Items.Select(s => s.Lines), Is.All.Null, "the list carries no lines");
            Assert.That(first.Items[0].To, Is.EqualTo(new DateOnly(2026, 10, 31)));
            Assert.That(approved.Items.Select(s => s.UserId), Is.EqualTo(new[] { _south.Id }));
            Assert.That(east.Items.Single().Period, Is.EqualTo("2026-09"));
            Assert.That(own.Items.Select(s => s.UserId), Is.All.EqualTo(_east.Id));
            Assert.That(own.Items, Has.Count.EqualTo(3));
            await ReadProblemAsync(await _managerClient.GetAsync("/api/v1/sales/commissions/statements/frozen?status=computed"), HttpStatusCode.BadRequest);
            await ReadProblemAsync(await _managerClient.GetAsync("/api/v1/sales/commissions/statements/frozen?period=oct"), HttpStatusCode.BadRequest);
            await ReadProblemAsync(await rep.GetAsync(StatementPath(_south, October)), HttpStatusCode.NotFound);
        });
    }
}
