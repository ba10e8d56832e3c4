using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Expenses;
using static Crm.IntegrationTests.Sales.Activities.ActivityApi;
using static Crm.IntegrationTests.Sales.Expenses.ExpenseReportApi;

namespace Crm.IntegrationTests.Sales.Expenses;

internal sealed class ExpenseReportTests : IntegrationTest
{
    private TestUser _managerUser = null!;
    private TestUser _repUser = null!;
    private HttpClient _manager = null!;
    private HttpClient _rep = null!;

    [SetUp]
    public async Task SignInTeamAsync()
    {
        var team = await TestUsers.CreateTeamAsync(Factory, "华南组", TeamKind.Group);
        _managerUser = await TestUsers.CreateAsync(Factory, Roles.SalesManager, team);
        _repUser = await TestUsers.CreateAsync(Factory, Roles.SalesRep, team);
        _manager = Factory.ClientFor(_managerUser);
        _rep = Factory.ClientFor(_repUser);
    }

    [TearDown]
    public void DisposeClients()
    {
        _manager.Dispose();
        _rep.Dispose();
    }

    [Test]
    public async Task A_draft_report_totals_its_lines_and_is_edited_with_If_Match()
    {
        var (meeting, _) = await CreateActivityAsync(_rep, Meeting("拜访客户", Factory.Time.GetUtcNow().AddDays(-2)));
        var (created, etag) = await CreateReportAsync(_rep, new
        {
            title = "十一月差旅",
            lines = new[]
            {
                Line(120.50m, "meals", extra: new { activityId = meeting.Id, receipts = new[] { "file:0193-a", "https://files.example.com/r/2" } }),
                Line(880.25m, "travel", new DateOnly(2026, 11, 18)),
            },
        });
        Assert.Multiple(() =>
        {
            Assert.That(created.Status, Is.EqualTo(ExpenseReportStatus.Draft));
            Assert.That(created.OwnerId, Is.EqualTo(_repUser.Id));
            Assert.That(created.Currency, Is.EqualTo("CNY"));
            Assert.That(created.Total, Is.EqualTo(1000.75m));
            Assert.That(created.Lines.Select(l => l.Category), Is.EqualTo(new[] { "travel", "meals" }), "lines by date");
            Assert.That(created.Lines[1].ActivityId, Is.EqualTo(meeting.Id));
            Assert.That(created.Lines[1].Receipts, Is.EqualTo(new[] { "file:0193-a", "https://files.example.com/r/2" }));
        });

        var uri = $"/api/v1/sales/expense-reports/{created.Id}";
        Assert.That((await _rep.GetAsync(uri)).Headers.ETag!.ToString(), Is.EqualTo(etag));
        await ReadProblemAsync(await _rep.SendJsonAsync(HttpMethod.Patch, uri, new { title = "x" }, "\"1\"", "application/merge-patch+json"), HttpStatusCode.PreconditionFailed);

        var patched = await ReadAsync<ExpenseReportResponse>(
            await _rep.SendJsonAsync(HttpMethod.Patch, uri, new { lines = new[] { Line(99.99m, "gifts"), Line(0.01m, "other") } }, etag, "application/merge-patch+json"),
            HttpStatusCode.OK);
        Assert.Multiple(async () =>
        {
            Assert.That(patched.Title, Is.EqualTo("十一月差旅"));
            Assert.That(patched.Total, Is.EqualTo(100.00m));
            Assert.That(patched.Lines, Has.Count.EqualTo(2));
            Assert.That(await CountAsync($"SELECT count(*) FROM sales.expense_lines WHERE report_id = '{created.Id}'"), Is.EqualTo(2));
            Assert.That(await CountAsync($"SELECT count(*) FROM sales.expense_reports WHERE id = '{created.Id}' AND total = 100.00"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task An_Idempotency_Key_replays_the_create_instead_of_filing_the_report_twice()
    {
        HttpRequestMessage Post()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/sales/expense-reports") { Content = JsonBody(new { title = "只报一次", lines = new[] { Line(42m) } }) };
            request.Headers.TryAddWithoutValidation("Idempotency-Key", "create-expense-report-1");
            return request;
        }

        var one = await ReadAsync<ExpenseReportResponse>(await _rep.SendAsync(Post()), HttpStatusCode.Created);
        var second = await _rep.SendAsync(Post());
        var two = await ReadAsync<ExpenseReportResponse>(second, HttpStatusCode.Created);
        Assert.Multiple(async () =>
        {
            Assert.That(two.Id, Is.EqualTo(one.Id));
            Assert.That(second.Headers.GetValues("Idempotent-Replayed"), Is.EqualTo(new[] { "true" }));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.expense_reports"), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.expense_lines"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Bad_reports_are_400_with_field_errors_and_unknown_links_422()
    {
        var bad = await ReadProblemAsync(await _rep.PostAsync("/api/v1/sales/expense-reports", JsonBody(new
        {
            title = "",
            currency = "yuan",
            lines = new[] { Line(0m), Line(10.005m), Line(5m, date: DateOnly.FromDateTime(Factory.Time.GetUtcNow().UtcDateTime).AddDays(10)) },
        })), HttpStatusCode.BadRequest);
        var errors = bad.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(errors, Has.Some.EqualTo("title"));
            Assert.That(errors, Has.Some.Contains("[0]").And.Contains("mount"));
            Assert.That(errors, Has.Some.Contains("[1]").And.Contains("mount"));
            Assert.That(errors, Has.Some.Contains("[2]").And.Contains("ate"));
        });

        var currency = await ReadProblemAsync(await _rep.PostAsync("/api/v1/sales/expense-reports", JsonBody(new
        {
            title = "币种", currency = "yuan", lines = new[] { Line(5m, extra: new { currency = "USD" }) },
        })), HttpStatusCode.BadRequest);
        var currencyErrors = currency.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToList();
        Assert.That(currencyErrors, Is.SupersetOf(new[] { "currency", "lines[0].currency" }));

        var activity = await ReadProblemAsync(await _rep.PostAsync("/api/v1/sales/expense-reports", JsonBody(new
        {
            title = "未知活动", lines = new[] { Line(5m, extra: new { activityId = Guid.NewGuid() }) },
        })), HttpStatusCode.UnprocessableEntity);
        var opportunity = await ReadProblemAsync(await _rep.PostAsync("/api/v1/sales/expense-reports", JsonBody(new
        {
            title = "未知商机", lines = new[] { Line(5m, extra: new { opportunityId = Guid.NewGuid() }) },
        })), HttpStatusCode.UnprocessableEntity);
        Assert.Multiple(() =>
        {
            Assert.That(activity.GetProperty("title").GetString(), Is.EqualTo("Unknown Activity"));
            Assert.That(opportunity.GetProperty("title").GetString(), Is.EqualTo("Unknown Opportunity"));
        });
    }

    [Test]
    public async Task The_owner_submits_a_manager_in_scope_approves_and_the_history_records_each_decision()
    {
        var (report, etag) = await CreateReportAsync(_rep, new { title = "客户招待", lines = new[] { Line(300m, "meals") } });
        var uri = $"/api/v1/sales/expense-reports/{report.Id}";

        // A manager cannot submit someone else's draft; the owner can.
        await ReadProblemAsync(await DecideAsync(_manager, report.Id, "submit", etag), HttpStatusCode.Forbidden);
        var submitted = await ReadAsync<ExpenseReportResponse>(await DecideAsync(_rep, report.Id, "submit", etag), HttpStatusCode.OK);
        Assert.That(submitted.Status, Is.EqualTo(ExpenseReportStatus.Submitted));
        Assert.That(submitted.SubmittedAt, Is.Not.Null);

        // Submitted: no edits (409), no second submit (409), reps cannot approve (403), outside managers do not see it (404).
        etag = await ETagOfAsync(_rep, report.Id);
        var edit = await ReadProblemAsync(await _rep.SendJsonAsync(HttpMethod.Patch, uri, new { title = "改" }, etag, "application/merge-patch+json"), HttpStatusCode.Conflict);
        Assert.That(edit.GetProperty("type").GetString(), Does.EndWith("expense-report-status"));
        await ReadProblemAsync(await DecideAsync(_rep, report.Id, "submit", etag), HttpStatusCode.Conflict);
        await ReadProblemAsync(await DecideAsync(_rep, report.Id, "approve", etag), HttpStatusCode.Forbidden);
        using var otherManager = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesManager, await TestUsers.CreateTeamAsync(Factory, "华北组", TeamKind.Group)));
        await ReadProblemAsync(await DecideAsync(otherManager, report.Id, "approve", etag), HttpStatusCode.NotFound);
        await ReadProblemAsync(await DecideAsync(_manager, report.Id, "approve", "\"1\""), HttpStatusCode.PreconditionFailed);

        var approved = await ReadAsync<ExpenseReportResponse>(await DecideAsync(_manager, report.Id, "approve", etag, "同意"), HttpStatusCode.OK);
        Assert.That(approved.Status, Is.EqualTo(ExpenseReportStatus.Approved));
        await ReadProblemAsync(await DecideAsync(_manager, report.Id, "reject", null, "太晚了"), HttpStatusCode.Conflict);
        var paid = await ReadAsync<ExpenseReportResponse>(await DecideAsync(_manager, report.Id, "pay", null), HttpStatusCode.OK);
        Assert.That(paid.Status, Is.EqualTo(ExpenseReportStatus.Paid));

        var history = await ReadAsync<List<ExpenseDecisionResponse>>(await _rep.GetAsync($"{uri}/decisions"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(history.Select(d => (d.Action, d.FromStatus, d.ToStatus)), Is.EqualTo(new[]
            {
                (ExpenseDecisionAction.Submit, ExpenseReportStatus.Draft, ExpenseReportStatus.Submitted),
                (ExpenseDecisionAction.Approve, ExpenseReportStatus.Submitted, ExpenseReportStatus.Approved),
                (ExpenseDecisionAction.Pay, ExpenseReportStatus.Approved, ExpenseReportStatus.Paid),
            }));
            Assert.That(history.Select(d => d.ActorId), Is.EqualTo(new Guid?[] { _repUser.Id, _managerUser.Id, _managerUser.Id }));
            Assert.That(history[1].Comment, Is.EqualTo("同意"));
        });
    }

    [Test]
    public async Task A_rejection_needs_a_comment_and_sends_the_report_back_to_the_owner_to_fix_and_resubmit()
    {
        var (report, etag) = await CreateReportAsync(_rep, new { title = "礼品", lines = new[] { Line(2000m, "gifts") } });
        await ReadAsync<ExpenseReportResponse>(await DecideAsync(_rep, report.Id, "submit", etag), HttpStatusCode.OK);

        var noComment = await ReadProblemAsync(await DecideAsync(_manager, report.Id, "reject", null), HttpStatusCode.BadRequest);
        Assert.That(noComment.GetProperty("errors").TryGetProperty("comment", out _), Is.True);
        var rejected = await ReadAsync<ExpenseReportResponse>(await DecideAsync(_manager, report.Id, "reject", null, "超出礼品标准"), HttpStatusCode.OK);
        Assert.That(rejected.Status, Is.EqualTo(ExpenseReportStatus.Rejected));

        // A rejected report is not resubmitted as is; editing reopens it as a draft.
        await ReadProblemAsync(await DecideAsync(_rep, report.Id, "submit", null), HttpStatusCode.Conflict);
        var fixedReport = await ReadAsync<ExpenseReportResponse>(
            await _rep.SendJsonAsync(HttpMethod.Patch, $"/api/v1/sales/expense-reports/{report.Id}", new { lines = new[] { Line(500m, "gifts") } }, null, "application/merge-patch+json"),
            HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(fixedReport.Status, Is.EqualTo(ExpenseReportStatus.Draft));
            Assert.That(fixedReport.Total, Is.EqualTo(500m));
        });
        await ReadAsync<ExpenseReportResponse>(await DecideAsync(_rep, report.Id, "submit", null), HttpStatusCode.OK);

        var history = await ReadAsync<List<ExpenseDecisionResponse>>(await _manager.GetAsync($"/api/v1/sales/expense-reports/{report.Id}/decisions"), HttpStatusCode.OK);
        Assert.That(history.Select(d => d.Action), Is.EqualTo(new[] { ExpenseDecisionAction.Submit, ExpenseDecisionAction.Reject, ExpenseDecisionAction.Submit }));
        Assert.That(history[1].Comment, Is.EqualTo("超出礼品标准"));
    }

    [Test]
    public async Task Approving_rejecting_and_paying_raise_one_event_each_with_the_total_and_the_decision_while_submitting_and_refused_decisions_raise_none()
    {
        static Task<long> EventsAsync(string type, string where = "true") =>
            CountAsync($"SELECT count(*) FROM sales.outbox_messages WHERE type = 'Crm.Modules.Sales.Contracts.{type}' AND {where}");

        var (paidReport, etag) = await CreateReportAsync(_rep, new { title = "客户招待", currency = "USD", lines = new[] { Line(300m, "meals"), Line(45.5m, "travel") } });
        await ReadAsync<ExpenseReportResponse>(await DecideAsync(_rep, paidReport.Id, "submit", etag), HttpStatusCode.OK);
        Assert.That(await CountAsync("SELECT count(*) FROM sales.outbox_messages WHERE type LIKE 'Crm.Modules.Sales.Contracts.ExpenseReport%'"), Is.Zero);
        await ReadAsync<ExpenseReportResponse>(await DecideAsync(_manager, paidReport.Id, "approve", null, "同意"), HttpStatusCode.OK);
        await ReadProblemAsync(await DecideAsync(_manager, paidReport.Id, "reject", null, "太晚了"), HttpStatusCode.Conflict);
        await ReadAsync<ExpenseReportResponse>(await DecideAsync(_manager, paidReport.Id, "pay", null), HttpStatusCode.OK);

        var (rejectedReport, rejectedTag) = await CreateReportAsync(_rep, new { title = "礼品", lines = new[] { Line(2000m, "gifts") } });
        await ReadAsync<ExpenseReportResponse>(await DecideAsync(_rep, rejectedReport.Id, "submit", rejectedTag), HttpStatusCode.OK);
        await ReadAsync<ExpenseReportResponse>(await DecideAsync(_manager, rejectedReport.Id, "reject", null, "超出礼品标准"), HttpStatusCode.OK);

        var common = $"payload->>'ownerId' = '{_repUser.Id}' AND payload->>'decidedBy' = '{_managerUser.Id}'";
        Assert.Multiple(async () =>
        {
            Assert.That(await CountAsync("SELECT count(*) FROM sales.outbox_messages WHERE type LIKE 'Crm.Modules.Sales.Contracts.ExpenseReport%'"), Is.EqualTo(3));
            Assert.That(await EventsAsync("ExpenseReportApproved",
                $"{common} AND payload->>'reportId' = '{paidReport.Id}' AND payload->>'title' = '客户招待' AND (payload->>'total')::numeric = 345.5 "
                + "AND payload->>'currency' = 'USD' AND payload->>'comment' = '同意'"), Is.EqualTo(1));
            Assert.That(await EventsAsync("ExpenseReportPaid",
                $"{common} AND payload->>'reportId' = '{paidReport.Id}' AND (payload->>'total')::numeric = 345.5 AND payload->>'comment' IS NULL"), Is.EqualTo(1));
            Assert.That(await EventsAsync("ExpenseReportRejected",
                $"{common} AND payload->>'reportId' = '{rejectedReport.Id}' AND (payload->>'total')::numeric = 2000 AND payload->>'comment' = '超出礼品标准'"),
                Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Managers_never_approve_their_own_reports_and_empty_reports_are_not_submitted()
    {
        var (own, etag) = await CreateReportAsync(_manager, new { title = "经理差旅", lines = new[] { Line(100m) } });
        await ReadAsync<ExpenseReportResponse>(await DecideAsync(_manager, own.Id, "submit", etag), HttpStatusCode.OK);
        await ReadProblemAsync(await DecideAsync(_manager, own.Id, "approve", null), HttpStatusCode.Forbidden);
        using var admin = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.Admin));
        await ReadAsync<ExpenseReportResponse>(await DecideAsync(admin, own.Id, "approve", null), HttpStatusCode.OK);

        var (empty, emptyTag) = await CreateReportAsync(_rep, new { title = "空" });
        var problem = await ReadProblemAsync(await DecideAsync(_rep, empty.Id, "submit", emptyTag), HttpStatusCode.UnprocessableEntity);
        Assert.That(problem.GetProperty("type").GetString(), Does.EndWith("expense-report-empty"));
    }

    [Test]
    public async Task Reports_are_visible_to_their_owner_and_managers_in_scope_only()
    {
        var (report, _) = await CreateReportAsync(_rep, new { title = "可见性", lines = new[] { Line(1m) } });
        var uri = $"/api/v1/sales/expense-reports/{report.Id}";
        using var otherRep = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesRep));
        using var agent = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.ServiceAgent));
        Assert.Multiple(async () =>
        {
            Assert.That((await _manager.GetAsync(uri)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            await ReadProblemAsync(await otherRep.GetAsync(uri), HttpStatusCode.NotFound);
            await ReadProblemAsync(await otherRep.GetAsync($"{uri}/decisions"), HttpStatusCode.NotFound);
            await ReadProblemAsync(await _rep.GetAsync($"/api/v1/sales/expense-reports/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
            await ReadProblemAsync(await agent.GetAsync(uri), HttpStatusCode.Forbidden);
            await ReadProblemAsync(await agent.PostAsync("/api/v1/sales/expense-reports", JsonBody(new { title = "x" })), HttpStatusCode.Forbidden);
        });

        // A manager may read a report in scope but only the owner edits it.
        var etag = await ETagOfAsync(_manager, report.Id);
        await ReadProblemAsync(await _manager.SendJsonAsync(HttpMethod.Patch, uri, new { title = "经理改" }, etag, "application/merge-patch+json"), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task The_list_filters_by_status_and_owner_and_pages_newest_first()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            Factory.Time.Advance(TimeSpan.FromMinutes(1));
            ids.Add((await CreateReportAsync(_rep, new { title = $"报告{i}", lines = new[] { Line(10m * (i + 1)) } })).Report.Id);
        }

        await ReadAsync<ExpenseReportResponse>(await DecideAsync(_rep, ids[1], "submit", null), HttpStatusCode.OK);
        await ReadAsync<ExpenseReportResponse>(await DecideAsync(_rep, ids[3], "submit", null), HttpStatusCode.OK);
        var (managerOwn, _) = await CreateReportAsync(_manager, new { title = "经理的" });
        using var otherRep = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesRep));
        await CreateReportAsync(otherRep, new { title = "别组的" });

        var submitted = await ReadAsync<ExpenseReportPage>(await _manager.GetAsync("/api/v1/sales/expense-reports?status=submitted"), HttpStatusCode.OK);
        Assert.That(submitted.Items.Select(r => r.Id), Is.EqualTo(new[] { ids[3], ids[1] }));

        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await ReadAsync<ExpenseReportPage>(
                await _manager.GetAsync($"/api/v1/sales/expense-reports?ownerId={_repUser.Id}&limit=2&includeTotal=true{(cursor is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(cursor))}"),
                HttpStatusCode.OK);
            Assert.That(page.Total, Is.EqualTo(5));
            seen.AddRange(page.Items.Select(r => r.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        Assert.That(seen, Is.EqualTo(Enumerable.Reverse(ids).ToList()));

        var byTotal = await ReadAsync<ExpenseReportPage>(await _rep.GetAsync("/api/v1/sales/expense-reports?sort=-total&limit=1"), HttpStatusCode.OK);
        Assert.That(byTotal.Items.Single().Total, Is.EqualTo(50m));

        var all = await ReadAsync<ExpenseReportPage>(await _manager.GetAsync("/api/v1/sales/expense-reports?limit=100"), HttpStatusCode.OK);
        Assert.That(all.Items.Select(r => r.Id), Is.EquivalentTo(ids.Append(managerOwn.Id)), "the manager's team only");
        var repSees = await ReadAsync<ExpenseReportPage>(await _rep.GetAsync("/api/v1/sales/expense-reports?limit=100"), HttpStatusCode.OK);
        Assert.That(repSees.Items.Select(r => r.Id), Is.EquivalentTo(ids), "a rep sees only their own");

        var badStatus = await ReadProblemAsync(await _rep.GetAsync("/api/v1/sales/expense-reports?status=lost"), HttpStatusCode.BadRequest);
        Assert.That(badStatus.GetProperty("errors").TryGetProperty("status", out _), Is.True);
    }
}
