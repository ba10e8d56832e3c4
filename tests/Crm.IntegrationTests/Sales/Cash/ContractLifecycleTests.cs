using System.Net;
using Crm.IntegrationTests.Customers;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Contracts;
using Crm.Modules.Sales.Features.Payments;
using Microsoft.Extensions.DependencyInjection;
using static Crm.IntegrationTests.Sales.Cash.CashApi;

namespace Crm.IntegrationTests.Sales.Cash;

internal sealed class ContractLifecycleTests : IntegrationTest
{
    private CashOrg _org = null!;
    private HttpClient _rep = null!;
    private Guid _customerId;

    [SetUp]
    public async Task CreateCustomerAsync()
    {
        _org = await CreateOrgAsync(Factory);
        _rep = Factory.ClientFor(_org.EastRep);
        _customerId = await CustomerOfAsync(Factory, _org.EastRep, "无锡制造有限公司");
    }

    [TearDown]
    public void DisposeRep() => _rep.Dispose();

    private static HttpRequestMessage Terminate(Guid id, object body, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/sales/contracts/{id}/terminate") { Content = JsonBody(body) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return request;
    }

    private async Task<ReceiptResponse> PayAsync(Guid contractId, decimal amount) =>
        await ReadAsync<ReceiptResponse>(
            await _rep.PostAsync("/api/v1/sales/receipts", JsonBody(new { contractId, amount, receivedDate = new DateOnly(2026, 11, 22), method = "bankTransfer" })),
            HttpStatusCode.Created);

    private async Task<decimal> BalanceAsync()
    {
        await DispatchOutboxAsync();
        return (await ReadAsync<CustomerResponse>(await _rep.GetAsync($"/api/v1/customers/{_customerId}"), HttpStatusCode.OK)).OutstandingBalance;
    }

    [Test]
    public async Task A_draft_is_patched_with_If_Match_and_the_patched_result_is_validated()
    {
        var (draft, etag) = await CreateContractAsync(_rep, _customerId, 50_000m);
        await ReadAsync<InstalmentResponse>(
            await _rep.PostAsync($"/api/v1/sales/contracts/{draft.Id}/instalments", JsonBody(new { dueDate = new DateOnly(2027, 1, 31), amount = 30_000m })),
            HttpStatusCode.Created);
        etag = (await _rep.GetAsync($"/api/v1/sales/contracts/{draft.Id}")).Headers.ETag!.ToString();

        await ReadProblemAsync(await _rep.SendAsync(PatchContract(draft.Id, new { amount = 60_000m }, "\"1\"")), HttpStatusCode.PreconditionFailed);
        var crossing = await _rep.SendAsync(PatchContract(draft.Id, new { endDate = new DateOnly(2026, 11, 1) }, etag));
        Assert.That((await ReadProblemAsync(crossing, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("endDate", out _), Is.True);
        var belowPlan = await _rep.SendAsync(PatchContract(draft.Id, new { amount = 29_999.99m }, etag));
        Assert.That((await ReadProblemAsync(belowPlan, HttpStatusCode.UnprocessableEntity)).GetProperty("type").GetString(), Does.EndWith("plan-exceeds-contract"));
        var invalid = await _rep.SendAsync(PatchContract(draft.Id, new { title = "", amount = -1m, currency = "rmb", ownerId = (Guid?)null, startDate = (DateOnly?)null }, etag));
        var errors = (await ReadProblemAsync(invalid, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Multiple(() =>
        {
            foreach (var field in new[] { "title", "amount", "currency", "ownerId", "startDate" })
            {
                Assert.That(errors.TryGetProperty(field, out _), Is.True, $"{field}: {errors}");
            }
        });
        var foreignOpportunity = await _rep.SendAsync(PatchContract(draft.Id, new { opportunityId = Guid.CreateVersion7() }, etag));
        Assert.That((await ReadProblemAsync(foreignOpportunity, HttpStatusCode.UnprocessableEntity)).GetProperty("type").GetString(), Does.EndWith("unknown-opportunity"));

        var patched = await _rep.SendAsync(PatchContract(draft.Id, new
        {
            amount = 30_000m, endDate = new DateOnly(2027, 5, 31), productCategory = "服务", title = "维保合同（修订）",
        }, etag));
        var updated = await ReadAsync<ContractResponse>(patched, HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(updated.Amount, Is.EqualTo(30_000m), "the plan still fits exactly");
            Assert.That(updated.EndDate, Is.EqualTo(new DateOnly(2027, 5, 31)));
            Assert.That(updated.StartDate, Is.EqualTo(draft.StartDate), "absent: unchanged");
            Assert.That(updated.ProductCategory, Is.EqualTo("服务"));
            Assert.That(updated.Title, Is.EqualTo("维保合同（修订）"));
            Assert.That(updated.OutstandingAmount, Is.EqualTo(30_000m));
            Assert.That(patched.Headers.ETag!.ToString(), Is.Not.EqualTo(etag));
        });

        using var southRep = Factory.ClientFor(_org.SouthRep);
        await ReadProblemAsync(await southRep.SendAsync(PatchContract(draft.Id, new { title = "x" }, null)), HttpStatusCode.NotFound);
        await ReadProblemAsync(await _rep.SendAsync(PatchContract(Guid.CreateVersion7(), new { title = "x" }, null)), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Once_signed_only_title_and_owner_change_and_receipts_keep_the_owner_they_were_recorded_with()
    {
        var contract = await SignedContractAsync(_rep, _customerId, 10_000m);
        var receipt = await PayAsync(contract.Id, 1_000m);

        var terms = await _rep.SendAsync(PatchContract(contract.Id, new { amount = 5_000m, productCategory = "软件" }, null));
        var problem = await ReadProblemAsync(terms, HttpStatusCode.Conflict);
        Assert.Multiple(() =>
        {
            Assert.That(problem.GetProperty("type").GetString(), Does.EndWith("contract-not-draft"));
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("amount, productCategory"));
        });

        await ReadProblemAsync(await _rep.SendAsync(PatchContract(contract.Id, new { ownerId = _org.SouthRep.Id }, null)), HttpStatusCode.Forbidden);
        using var manager = Factory.ClientFor(_org.Manager);
        var unknown = await manager.SendAsync(PatchContract(contract.Id, new { ownerId = Guid.CreateVersion7() }, null));
        await ReadProblemAsync(unknown, HttpStatusCode.Forbidden);
        using var admin = Factory.ClientFor(_org.Admin);
        var missing = await admin.SendAsync(PatchContract(contract.Id, new { ownerId = Guid.CreateVersion7() }, null));
        Assert.That((await ReadProblemAsync(missing, HttpStatusCode.UnprocessableEntity)).GetProperty("type").GetString(), Does.EndWith("unknown-owner"));

        var moved = await ReadAsync<ContractResponse>(
            await manager.SendAsync(PatchContract(contract.Id, new { ownerId = _org.SouthRep.Id, title = "移交合同" }, null)), HttpStatusCode.OK);
        var kept = await ReadAsync<ReceiptResponse>(await manager.GetAsync($"/api/v1/sales/receipts/{receipt.Id}"), HttpStatusCode.OK);
        Assert.Multiple(async () =>
        {
            Assert.That(moved.OwnerId, Is.EqualTo(_org.SouthRep.Id));
            Assert.That(moved.Title, Is.EqualTo("移交合同"));
            Assert.That(moved.Status, Is.EqualTo(ContractStatus.Signed));
            Assert.That(kept.OwnerId, Is.EqualTo(_org.EastRep.Id), "commission stays with the rep who owned it when the money came in");
            await ReadProblemAsync(await _rep.GetAsync($"/api/v1/sales/contracts/{contract.Id}"), HttpStatusCode.NotFound);
        });
    }

    [Test]
    public async Task Terminating_writes_off_what_is_unpaid_once_even_when_the_event_is_delivered_twice()
    {
        var (draft, draftTag) = await CreateContractAsync(_rep, _customerId, 1_000m);
        var contract = await SignedContractAsync(_rep, _customerId, 100_000m);
        var receipt = await PayAsync(contract.Id, 30_000m);
        Assert.That(await BalanceAsync(), Is.EqualTo(70_000m));
        var etag = (await _rep.GetAsync($"/api/v1/sales/contracts/{contract.Id}")).Headers.ETag!.ToString();

        var noReason = (await ReadProblemAsync(await _rep.SendAsync(Terminate(contract.Id, new { reason = "" })), HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.That(noReason.TryGetProperty("reason", out _), Is.True, noReason.ToString());
        var future = (await ReadProblemAsync(
            await _rep.SendAsync(Terminate(contract.Id, new { reason = "x", terminatedDate = new DateOnly(2027, 1, 1) })), HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.That(future.TryGetProperty("terminatedDate", out _), Is.True, future.ToString());
        await ReadProblemAsync(await _rep.SendAsync(Terminate(contract.Id, new { reason = "x" }, "\"1\"")), HttpStatusCode.PreconditionFailed);
        var ofDraft = await _rep.SendAsync(Terminate(draft.Id, new { reason = "x" }, draftTag));
        Assert.That((await ReadProblemAsync(ofDraft, HttpStatusCode.Conflict)).GetProperty("type").GetString(), Does.EndWith("contract-not-terminable"));
        using var southRep = Factory.ClientFor(_org.SouthRep);
        await ReadProblemAsync(await southRep.SendAsync(Terminate(contract.Id, new { reason = "x" })), HttpStatusCode.NotFound);

        var terminated = await ReadAsync<ContractResponse>(
            await _rep.SendAsync(Terminate(contract.Id, new { reason = "客户破产", terminatedDate = new DateOnly(2026, 11, 22) }, etag)), HttpStatusCode.OK);
        Assert.Multiple(async () =>
        {
            Assert.That(terminated.Status, Is.EqualTo(ContractStatus.Terminated));
            Assert.That(terminated.TerminatedDate, Is.EqualTo(new DateOnly(2026, 11, 22)));
            Assert.That(terminated.TerminationReason, Is.EqualTo("客户破产"));
            Assert.That(terminated.OutstandingAmount, Is.EqualTo(70_000m), "what was written off");
            Assert.That(await BalanceAsync(), Is.EqualTo(0m));
        });

        var again = await _rep.SendAsync(Terminate(contract.Id, new { reason = "x" }));
        Assert.That((await ReadProblemAsync(again, HttpStatusCode.Conflict)).GetProperty("type").GetString(), Does.EndWith("contract-not-terminable"));
        var payment = await _rep.PostAsync("/api/v1/sales/receipts", JsonBody(new { contractId = contract.Id, amount = 1m, receivedDate = new DateOnly(2026, 11, 22), method = "cash" }));
        Assert.That((await ReadProblemAsync(payment, HttpStatusCode.Conflict)).GetProperty("type").GetString(), Does.EndWith("contract-not-payable"));

        // As after a crash between the consumer's commit and its delivery record: every event is due again.
        await CountAsync("WITH d AS (DELETE FROM sales.outbox_deliveries RETURNING 1) UPDATE sales.outbox_messages SET processed_at = NULL, next_attempt_at = occurred_at");
        Assert.Multiple(async () =>
        {
            Assert.That(await BalanceAsync(), Is.EqualTo(0m));
            Assert.That(await CountAsync(
                $"SELECT count(*) FROM customers.balance_ledger WHERE customer_id = '{_customerId}' AND kind = 'contractTerminated' AND delta = -70000"), Is.EqualTo(1));
        });

        // The bounced payment of a terminated contract is owed again: the write-off covered only what was unpaid then.
        await ReadAsync<ReceiptResponse>(await _rep.PostAsync($"/api/v1/sales/receipts/{receipt.Id}/reverse", JsonBody(new { reason = "退票" })), HttpStatusCode.OK);
        Assert.That(await BalanceAsync(), Is.EqualTo(30_000m));

        var timeline = await ReadAsync<TimelineTests.TimelinePage>(await _rep.GetAsync($"/api/v1/customers/{_customerId}/timeline?limit=50"), HttpStatusCode.OK);
        Assert.That(timeline.Items.Select(e => e.Summary),
            Has.Member($"Contract {contract.Number} terminated on 2026-11-22 (客户破产): 70,000.00 CNY no longer owed"));
    }

    [Test]
    public async Task One_run_that_both_activates_and_expires_contracts_moves_them_all_with_an_audit_summary_per_status()
    {
        using var admin = Factory.ClientFor(_org.Admin);
        var today = DateOnly.FromDateTime(Factory.Time.GetUtcNow().UtcDateTime);
        var starting = await SignedContractAsync(admin, _customerId, 1_000m);
        var ending = await SignedContractAsync(admin, _customerId, 2_000m);
        await CountAsync($"UPDATE sales.contracts SET status = 'Signed', start_date = DATE '{today:yyyy-MM-dd}', end_date = DATE '{today.AddYears(1):yyyy-MM-dd}' WHERE id = '{starting.Id}'");
        await CountAsync($"UPDATE sales.contracts SET status = 'Active', start_date = DATE '{today.AddDays(-300):yyyy-MM-dd}', end_date = DATE '{today.AddDays(-1):yyyy-MM-dd}' WHERE id = '{ending.Id}'");
        var summaries = await CountAsync("SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'contract' AND affected_count IS NOT NULL");

        int? moved;
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            moved = await scope.ServiceProvider.GetRequiredService<ContractLifecycle>().RunAsync(CancellationToken.None);
        }

        Assert.Multiple(async () =>
        {
            Assert.That(moved, Is.EqualTo(2));
            Assert.That(await CountAsync($"SELECT count(*) FROM sales.contracts WHERE id = '{starting.Id}' AND status = 'Active'"), Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM sales.contracts WHERE id = '{ending.Id}' AND status = 'Expired'"), Is.EqualTo(1));
            Assert.That(
                await CountAsync("SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'contract' AND affected_count IS NOT NULL"),
                Is.EqualTo(summaries + 2), "one summary for the activated, one for the expired, saved together");
        });
    }

    [Test]
    public async Task The_lifecycle_job_activates_contracts_from_their_start_and_expires_them_after_their_end()
    {
        using var admin = Factory.ClientFor(_org.Admin);
        async Task<ContractResponse> SignedAsync(DateOnly start, DateOnly end)
        {
            var created = await admin.PostAsync("/api/v1/sales/contracts", JsonBody(new { customerId = _customerId, title = "t", amount = 1_000m, startDate = start, endDate = end }));
            var contract = await ReadAsync<ContractResponse>(created, HttpStatusCode.Created);
            return await ReadAsync<ContractResponse>(await admin.SendAsync(Sign(contract.Id, created.Headers.ETag!.ToString())), HttpStatusCode.OK);
        }

        // Dates relative to the shared test clock, which earlier tests may have moved on.
        var today = DateOnly.FromDateTime(Factory.Time.GetUtcNow().UtcDateTime);
        var future = await SignedAsync(today.AddDays(1), today.AddYears(1));
        var startsToday = await SignedAsync(today.AddDays(8), today.AddYears(1).AddDays(7));
        var endedYesterday = await SignedAsync(today.AddDays(-326), today.AddDays(-1));
        var (draft, _) = await CreateContractAsync(admin, _customerId, 1m, endDate: today.AddDays(8));
        Assert.Multiple(() =>
        {
            Assert.That(future.Status, Is.EqualTo(ContractStatus.Signed), "before its start");
            Assert.That(endedYesterday.Status, Is.EqualTo(ContractStatus.Expired), "signed after its end: expired at once");
        });

        // Move a signed contract's start into the past behind the API's back, as the calendar would.
        await CountAsync($"UPDATE sales.contracts SET start_date = DATE '{today:yyyy-MM-dd}' WHERE id = '{startsToday.Id}'");
        int? moved;
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            moved = await scope.ServiceProvider.GetRequiredService<ContractLifecycle>().RunAsync(CancellationToken.None);
        }

        // Time passes (without moving the shared test clock): both contracts' ends are now behind us.
        await CountAsync($"UPDATE sales.contracts SET start_date = DATE '{today.AddDays(-326):yyyy-MM-dd}', end_date = DATE '{today.AddDays(-1):yyyy-MM-dd}' WHERE id IN ('{future.Id}', '{startsToday.Id}')");
        Assert.That(await CountAsync($"SELECT count(*) FROM sales.contracts WHERE id = '{startsToday.Id}' AND status = 'Active'"), Is.EqualTo(1));
        int? later;
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            later = await scope.ServiceProvider.GetRequiredService<ContractLifecycle>().RunAsync(CancellationToken.None);
        }

        async Task<ContractStatus> StatusAsync(Guid id) => (await ReadAsync<ContractResponse>(await admin.GetAsync($"/api/v1/sales/contracts/{id}"), HttpStatusCode.OK)).Status;
        Assert.Multiple(async () =>
        {
            Assert.That(moved, Is.EqualTo(1), "only the one that started today");
            Assert.That(later, Is.EqualTo(2), "signed and active ones both expire");
            Assert.That(await StatusAsync(future.Id), Is.EqualTo(ContractStatus.Expired));
            Assert.That(await StatusAsync(startsToday.Id), Is.EqualTo(ContractStatus.Expired));
            Assert.That(await StatusAsync(draft.Id), Is.EqualTo(ContractStatus.Draft), "a draft does not move with the calendar");
            Assert.That(await CountAsync("SELECT count(*) FROM sales.contracts WHERE status = 'Active'"), Is.EqualTo(0));
        });
    }

    [Test]
    public async Task An_expired_contract_still_takes_what_is_owed_on_it()
    {
        using var admin = Factory.ClientFor(_org.Admin);
        var created = await admin.PostAsync("/api/v1/sales/contracts", JsonBody(new
        {
            customerId = _customerId, title = "旧合同", amount = 5_000m, startDate = new DateOnly(2025, 1, 1), endDate = new DateOnly(2025, 12, 31),
        }));
        var contract = await ReadAsync<ContractResponse>(created, HttpStatusCode.Created);
        var expired = await ReadAsync<ContractResponse>(await admin.SendAsync(Sign(contract.Id, created.Headers.ETag!.ToString(), new DateOnly(2025, 1, 1))), HttpStatusCode.OK);
        var paid = await PayAsync(contract.Id, 5_000m);
        var terminate = await admin.SendAsync(Terminate(contract.Id, new { reason = "x" }));

        Assert.Multiple(async () =>
        {
            Assert.That(expired.Status, Is.EqualTo(ContractStatus.Expired));
            Assert.That(paid.Amount, Is.EqualTo(5_000m));
            Assert.That((await ReadProblemAsync(terminate, HttpStatusCode.Conflict)).GetProperty("type").GetString(), Does.EndWith("contract-not-terminable"));
        });
    }
}
