using System.Net;
using System.Text;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Features.Balance;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Sales.Contracts;
using Crm.SharedKernel.Paging;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using static Crm.IntegrationTests.Customers.CustomerApi;

namespace Crm.IntegrationTests.Customers;

/// <summary>The outstanding balance as a ledger: no client writes, manual adjustments, the ledger reads, merges.</summary>
internal sealed class BalanceLedgerTests : IntegrationTest
{
    private const string LedgerMismatches =
        "SELECT count(*) FROM customers.customers c WHERE c.outstanding_balance <> (SELECT COALESCE(sum(l.delta), 0) FROM customers.balance_ledger l WHERE l.customer_id = c.id)";

    private const string BeforeLedgerMigration = "20261204163246_CustomersKeyIndexesWithoutPendingList";

    private sealed record Org(TestUser Manager, TestUser Rep, TestUser OtherRep, TestUser Admin);

    private Org _org = null!;
    private HttpClient _rep = null!;
    private HttpClient _manager = null!;

    [SetUp]
    public async Task CreateOrganisationAsync()
    {
        var company = await TestUsers.CreateTeamAsync(Factory, "公司", TeamKind.Company);
        var sales = await TestUsers.CreateTeamAsync(Factory, "销售部", TeamKind.Department, company);
        var service = await TestUsers.CreateTeamAsync(Factory, "客服部", TeamKind.Department, company);
        _org = new Org(
            await TestUsers.CreateAsync(Factory, Roles.SalesManager, sales),
            await TestUsers.CreateAsync(Factory, Roles.SalesRep, sales),
            await TestUsers.CreateAsync(Factory, Roles.SalesRep, service),
            await TestUsers.CreateAsync(Factory, Roles.Admin, company));
        _rep = Factory.ClientFor(_org.Rep);
        _manager = Factory.ClientFor(_org.Manager);
    }

    [TearDown]
    public void DisposeClients()
    {
        _rep.Dispose();
        _manager.Dispose();
    }

    private static HttpRequestMessage Adjust(Guid customerId, string json, string? ifMatch = null, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/customers/{customerId}/balance-adjustments")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        return request;
    }

    private static async Task DeliverAsync(ContractSigned signed)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<CustomerBalanceConsumer>().HandleAsync(signed, CancellationToken.None);
    }

    private static ContractSigned Signed(Guid customerId, decimal amount) =>
        new(Factory.Time.GetUtcNow()) { ContractId = Guid.CreateVersion7(), ContractNumber = "HT-001", CustomerId = customerId, Amount = amount, Currency = "CNY" };

    private static void Later() => Factory.Time.Advance(TimeSpan.FromMinutes(1));

    [Test]
    public async Task Create_put_and_patch_naming_the_outstanding_balance_answer_400_pointing_to_the_adjustment_endpoint()
    {
        var created = await _rep.PostAsync("/api/v1/customers", new StringContent("""{"kind":"organization","name":"欠款客户","outstandingBalance":100}""", Encoding.UTF8, "application/json"));
        var createdWithNull = await _rep.PostAsync("/api/v1/customers", new StringContent("""{"kind":"organization","name":"欠款客户","outstandingBalance":null}""", Encoding.UTF8, "application/json"));
        var upsertCreate = await _rep.PutAsync("/api/v1/customers/by-external-id/ERP-1", JsonBody(new { kind = "organization", name = "ERP 客户", outstandingBalance = 5m }));
        await ReadAsync<CustomerResponse>(await _rep.PutAsync("/api/v1/customers/by-external-id/ERP-1", JsonBody(new { kind = "organization", name = "ERP 客户" })), HttpStatusCode.Created);
        var upsertReplace = await _rep.PutAsync("/api/v1/customers/by-external-id/ERP-1", JsonBody(new { kind = "organization", name = "ERP 客户", outstandingBalance = 0m }));
        var (customer, _) = await CreateAsync(_rep, "补丁客户");
        var patch = await _rep.SendAsync(Patch(customer.Id, """{"outstandingBalance":10}"""));

        foreach (var response in new[] { created, createdWithNull, upsertCreate, upsertReplace, patch })
        {
            var problem = await ReadProblemAsync(response, HttpStatusCode.BadRequest);
            Assert.That(problem.GetProperty("errors").GetProperty("outstandingBalance")[0].GetString(), Does.Contain("/balance-adjustments"));
        }

        Assert.That(await CountAsync("SELECT count(*) FROM customers.customers WHERE outstanding_balance <> 0"), Is.Zero);
    }

    [Test]
    public async Task A_manager_adjusts_the_balance_with_a_ledger_entry_an_audit_entry_and_an_event_on_the_timeline()
    {
        var (customer, _) = await CreateAsync(_rep, "历史欠款客户");

        var response = await _manager.SendAsync(Adjust(customer.Id, """{"amount":1500.50,"currency":"CNY","reason":"系统上线前欠款","reference":"PZ-2026-001"}"""));
        var first = await ReadAsync<BalanceLedgerEntryResponse>(response, HttpStatusCode.Created);
        Later();
        using var admin = Factory.ClientFor(_org.Admin);
        var second = await AdjustBalanceAsync(admin, customer.Id, -500m, "部分核销");
        await DispatchOutboxAsync();
        var after = await ReadAsync<CustomerResponse>(await _rep.GetAsync($"/api/v1/customers/{customer.Id}"), HttpStatusCode.OK);

        Assert.Multiple(async () =>
        {
            Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/api/v1/customers/{customer.Id}/balance-ledger/{first.Id}"));
            Assert.That((first.Kind, first.Amount, first.Currency, first.BalanceAfter, first.Reason, first.Reference, first.ActorId, first.ContractId),
                Is.EqualTo(("manualAdjustment", 1500.50m, "CNY", 1500.50m, "系统上线前欠款", "PZ-2026-001", (Guid?)_org.Manager.Id, (Guid?)null)));
            Assert.That((second.Amount, second.BalanceAfter), Is.EqualTo((-500m, 1000.50m)));
            Assert.That(after.OutstandingBalance, Is.EqualTo(1000.50m));
            Assert.That(await CountAsync(LedgerMismatches), Is.Zero);
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.balance_ledger WHERE customer_id = '{customer.Id}' AND kind = 'manualAdjustment' AND actor_id IS NOT NULL AND contract_id IS NULL"), Is.EqualTo(2));
            Assert.That(await CountAsync($"SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'customer' AND entity_id = '{customer.Id}' AND action = 'updated' AND changes::text LIKE '%outstandingBalance%'"), Is.EqualTo(2));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.outbox_messages WHERE type = 'Crm.Modules.Customers.Contracts.CustomerBalanceAdjusted' AND id = '{first.Id}'"), Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.timeline_entries WHERE customer_id = '{customer.Id}' AND kind = 'balance' AND summary LIKE 'Balance adjusted +1500.50 CNY (now 1500.50): 系统上线前欠款'"), Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.timeline_entries WHERE customer_id = '{customer.Id}' AND kind = 'balance'"), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Reps_get_403_and_managers_of_other_teams_404_and_nothing_changes()
    {
        var (own, _) = await CreateAsync(_rep, "自己的客户");
        using var otherRep = Factory.ClientFor(_org.OtherRep);
        var (elsewhere, _) = await CreateAsync(otherRep, "客服部的客户");
        const string Body = """{"amount":10,"currency":"CNY","reason":"调整"}""";

        await ReadProblemAsync(await _rep.SendAsync(Adjust(own.Id, Body)), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await _manager.SendAsync(Adjust(elsewhere.Id, Body)), HttpStatusCode.NotFound);
        await ReadProblemAsync(await _manager.SendAsync(Adjust(Guid.CreateVersion7(), Body)), HttpStatusCode.NotFound);
        await ReadProblemAsync(await _manager.GetAsync($"/api/v1/customers/{elsewhere.Id}/balance-ledger"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await _rep.GetAsync($"/api/v1/customers/{elsewhere.Id}/balance-ledger"), HttpStatusCode.NotFound);

        Assert.That(await CountAsync("SELECT count(*) FROM customers.balance_ledger"), Is.Zero);
    }

    [TestCase("""{"amount":0,"currency":"CNY","reason":"调整"}""", "amount")]
    [TestCase("""{"amount":1.234,"currency":"CNY","reason":"调整"}""", "amount")]
    [TestCase("""{"currency":"CNY","reason":"调整"}""", "amount")]
    [TestCase("""{"amount":10,"reason":"调整"}""", "currency")]
    [TestCase("""{"amount":10,"currency":"人民币","reason":"调整"}""", "currency")]
    [TestCase("""{"amount":10,"currency":"CNY","reason":""}""", "reason")]
    [TestCase("""{"amount":10,"currency":"CNY","reason":"调整","reference":"RRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRR"}""", "reference")]
    [TestCase("""{"amount":9999999999999999.99,"currency":"CNY","reason":"调整"}""", "amount")]
    public async Task Bad_adjustments_are_400_naming_the_field(string body, string field)
    {
        var (customer, _) = await CreateAsync(_rep, "校验客户");
        await AdjustBalanceAsync(_manager, customer.Id, 1m);

        var problem = await ReadProblemAsync(await _manager.SendAsync(Adjust(customer.Id, body)), HttpStatusCode.BadRequest);

        Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True, problem.ToString());
        Assert.That(await CountAsync("SELECT count(*) FROM customers.balance_ledger"), Is.EqualTo(1));
    }

    [Test]
    public async Task Malformed_json_is_400_another_currency_is_422_and_an_archived_customer_409()
    {
        var (customer, _) = await CreateAsync(_rep, "币种客户");
        var (archived, _) = await CreateAsync(_rep, "归档客户");
        await ReadAsync<CustomerResponse>(await _rep.DeleteAsync($"/api/v1/customers/{archived.Id}"), HttpStatusCode.OK);

        await ReadProblemAsync(await _manager.SendAsync(Adjust(customer.Id, """{"amount":"很多","currency":"CNY","reason":"调整"}""")), HttpStatusCode.BadRequest);
        var currency = await ReadProblemAsync(await _manager.SendAsync(Adjust(customer.Id, """{"amount":10,"currency":"USD","reason":"调整"}""")), HttpStatusCode.UnprocessableEntity);
        var archivedProblem = await ReadProblemAsync(await _manager.SendAsync(Adjust(archived.Id, """{"amount":10,"currency":"CNY","reason":"调整"}""")), HttpStatusCode.Conflict);
        var lowerCase = await ReadAsync<BalanceLedgerEntryResponse>(await _manager.SendAsync(Adjust(customer.Id, """{"amount":10,"currency":"cny","reason":"调整"}""")), HttpStatusCode.Created);

        Assert.Multiple(async () =>
        {
            Assert.That(currency.GetProperty("type").GetString(), Is.EqualTo("https://crm.local/problems/unsupported-currency"));
            Assert.That(archivedProblem.GetProperty("type").GetString(), Is.EqualTo("https://crm.local/problems/customer-archived"));
            Assert.That(lowerCase.Currency, Is.EqualTo("CNY"));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.balance_ledger"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task The_adjustment_answers_the_customers_new_etag_which_a_following_if_match_update_accepts()
    {
        var (customer, etag) = await CreateAsync(_rep, "标签客户");

        var adjusted = await _manager.SendAsync(Adjust(customer.Id, """{"amount":88.80,"currency":"CNY","reason":"补录"}""", ifMatch: etag, idempotencyKey: "adj-etag"));
        await ReadAsync<BalanceLedgerEntryResponse>(adjusted, HttpStatusCode.Created);
        var newTag = adjusted.Headers.ETag?.ToString();
        var replay = await _manager.SendAsync(Adjust(customer.Id, """{"amount":88.80,"currency":"CNY","reason":"补录"}""", ifMatch: etag, idempotencyKey: "adj-etag"));
        var read = await _rep.GetAsync($"/api/v1/customers/{customer.Id}");

        var staleUpdate = await _rep.SendAsync(Patch(customer.Id, """{"shortName":"旧标签"}""", etag));
        var update = await _rep.SendAsync(Patch(customer.Id, """{"shortName":"新标签"}""", newTag));
        Assert.Multiple(async () =>
        {
            Assert.That(newTag, Is.Not.Null.And.Not.EqualTo(etag), "the customer's row changed");
            Assert.That(read.Headers.ETag?.ToString(), Is.EqualTo(newTag), "the customer's ETag, not one of the entry");
            Assert.That(replay.Headers.ETag?.ToString(), Is.EqualTo(newTag), "an Idempotency-Key replay answers the same ETag");
            await ReadProblemAsync(staleUpdate, HttpStatusCode.PreconditionFailed);
            Assert.That((await ReadAsync<CustomerResponse>(update, HttpStatusCode.OK)).ShortName, Is.EqualTo("新标签"));
        });
    }

    [Test]
    public async Task An_idempotency_key_replays_the_first_adjustment_and_a_stale_if_match_is_412()
    {
        var (customer, etag) = await CreateAsync(_rep, "幂等客户");
        const string Body = """{"amount":200,"currency":"CNY","reason":"补录"}""";

        var stale = await _manager.SendAsync(Adjust(customer.Id, Body, ifMatch: "\"1\""));
        var first = await _manager.SendAsync(Adjust(customer.Id, Body, ifMatch: etag, idempotencyKey: "adj-1"));
        var replay = await _manager.SendAsync(Adjust(customer.Id, Body, ifMatch: etag, idempotencyKey: "adj-1"));
        var reused = await _manager.SendAsync(Adjust(customer.Id, """{"amount":300,"currency":"CNY","reason":"补录"}""", idempotencyKey: "adj-1"));
        var staleNow = await _manager.SendAsync(Adjust(customer.Id, Body, ifMatch: etag));

        Assert.Multiple(async () =>
        {
            await ReadProblemAsync(stale, HttpStatusCode.PreconditionFailed);
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created), await first.Content.ReadAsStringAsync());
            Assert.That(replay.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(await replay.Content.ReadAsStringAsync(), Is.EqualTo(await first.Content.ReadAsStringAsync()));
            await ReadProblemAsync(reused, HttpStatusCode.UnprocessableEntity);
            await ReadProblemAsync(staleNow, HttpStatusCode.PreconditionFailed);
            Assert.That(await CountAsync("SELECT count(*) FROM customers.balance_ledger"), Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.customers WHERE id = '{customer.Id}' AND outstanding_balance = 200"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task The_ledger_lists_newest_first_with_the_balance_after_each_entry_filters_and_keyset_pages()
    {
        var (customer, _) = await CreateAsync(_rep, "台账客户");
        var start = Factory.Time.GetUtcNow();
        var a = await AdjustBalanceAsync(_manager, customer.Id, 100m);
        Later();
        var b = await AdjustBalanceAsync(_manager, customer.Id, 200m);
        Later();
        var c = await AdjustBalanceAsync(_manager, customer.Id, -50m);
        Later();
        var signed = Signed(customer.Id, 1000m);
        await DeliverAsync(signed);
        await DeliverAsync(signed);

        var page1 = await ReadAsync<Page<BalanceLedgerEntryResponse>>(await _rep.GetAsync($"/api/v1/customers/{customer.Id}/balance-ledger?limit=2"), HttpStatusCode.OK);
        var page2 = await ReadAsync<Page<BalanceLedgerEntryResponse>>(
            await _rep.GetAsync($"/api/v1/customers/{customer.Id}/balance-ledger?limit=2&cursor={Uri.EscapeDataString(page1.NextCursor!)}"), HttpStatusCode.OK);
        var manual = await ReadAsync<Page<BalanceLedgerEntryResponse>>(
            await _rep.GetAsync($"/api/v1/customers/{customer.Id}/balance-ledger?kind=manualAdjustment&sort=appliedAt&includeTotal=true"), HttpStatusCode.OK);
        var window = await ReadAsync<Page<BalanceLedgerEntryResponse>>(
            await _rep.GetAsync($"/api/v1/customers/{customer.Id}/balance-ledger?from={Uri.EscapeDataString(start.AddSeconds(30).ToString("O"))}&to={Uri.EscapeDataString(start.AddSeconds(150).ToString("O"))}"),
            HttpStatusCode.OK);
        var one = await ReadAsync<BalanceLedgerEntryResponse>(await _rep.GetAsync($"/api/v1/customers/{customer.Id}/balance-ledger/{b.Id}"), HttpStatusCode.OK);
        var contract = await ReadAsync<BalanceLedgerEntryResponse>(await _rep.GetAsync($"/api/v1/customers/{customer.Id}/balance-ledger/{signed.EventId}"), HttpStatusCode.OK);

        Assert.Multiple(async () =>
        {
            Assert.That(page1.Items.Select(e => (e.Kind, e.Amount, e.BalanceAfter)), Is.EqualTo(new[] { ("contractSigned", 1000m, 1250m), ("manualAdjustment", -50m, 250m) }));
            Assert.That(page2.Items.Select(e => (e.Id, e.BalanceAfter)), Is.EqualTo(new[] { (b.Id, 300m), (a.Id, 100m) }));
            Assert.That(page2.NextCursor, Is.Null);
            Assert.That(manual.Items.Select(e => e.Id), Is.EqualTo(new[] { a.Id, b.Id, c.Id }));
            Assert.That(manual.Items.Select(e => e.BalanceAfter), Is.EqualTo(new[] { 100m, 300m, 250m }));
            Assert.That(manual.Total, Is.EqualTo(3));
            Assert.That(window.Items.Select(e => e.Id), Is.EqualTo(new[] { c.Id, b.Id }));
            Assert.That((one.Amount, one.BalanceAfter, one.Reason), Is.EqualTo((200m, 300m, "期初欠款")));
            Assert.That((contract.ContractId, contract.BalanceAfter), Is.EqualTo(((Guid?)signed.ContractId, 1250m)));
            Assert.That(await CountAsync(LedgerMismatches), Is.Zero);
        });

        await ReadProblemAsync(await _rep.GetAsync($"/api/v1/customers/{customer.Id}/balance-ledger?kind=gift"), HttpStatusCode.BadRequest);
        await ReadProblemAsync(await _rep.GetAsync($"/api/v1/customers/{customer.Id}/balance-ledger?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z"), HttpStatusCode.BadRequest);
        await ReadProblemAsync(await _rep.GetAsync($"/api/v1/customers/{customer.Id}/balance-ledger?sort=amount"), HttpStatusCode.BadRequest);
        await ReadProblemAsync(await _rep.GetAsync($"/api/v1/customers/{customer.Id}/balance-ledger/{Guid.CreateVersion7()}"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task A_ledger_entry_answers_its_own_etag_and_304_while_the_callers_copy_is_current()
    {
        var (customer, _) = await CreateAsync(_rep, "台账条目");
        var first = await AdjustBalanceAsync(_manager, customer.Id, 100m);
        Later();
        var second = await AdjustBalanceAsync(_manager, customer.Id, 50m);

        var firstRead = await _rep.GetAsync($"/api/v1/customers/{customer.Id}/balance-ledger/{first.Id}");
        var etag = firstRead.Headers.ETag!.ToString();
        var secondRead = await _rep.GetAsync($"/api/v1/customers/{customer.Id}/balance-ledger/{second.Id}");
        var revalidate = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/customers/{customer.Id}/balance-ledger/{first.Id}");
        revalidate.Headers.TryAddWithoutValidation("If-None-Match", etag);
        var notModified = await _rep.SendAsync(revalidate);
        var otherTag = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/customers/{customer.Id}/balance-ledger/{second.Id}");
        otherTag.Headers.TryAddWithoutValidation("If-None-Match", etag);
        var other = await _rep.SendAsync(otherTag);
        var again = await _rep.GetAsync($"/api/v1/customers/{customer.Id}/balance-ledger/{first.Id}");

        Assert.Multiple(async () =>
        {
            Assert.That((await ReadAsync<BalanceLedgerEntryResponse>(firstRead, HttpStatusCode.OK)).BalanceAfter, Is.EqualTo(100m));
            Assert.That(etag, Does.Match("^\"[0-9]+\"$"));
            Assert.That(secondRead.Headers.ETag!.ToString(), Is.Not.EqualTo(etag));
            Assert.That(notModified.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
            Assert.That(notModified.Headers.ETag!.ToString(), Is.EqualTo(etag));
            Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(again.Headers.ETag!.ToString(), Is.EqualTo(etag), "entries never change: a later entry leaves the earlier one's ETag");
        });
    }

    [Test]
    public async Task The_ledger_filters_by_contract_on_its_own_index()
    {
        var (customer, _) = await CreateAsync(_rep, "合同台账客户");
        var first = Signed(customer.Id, 1000m);
        var second = Signed(customer.Id, 300m);
        await DeliverAsync(first);
        Later();
        await DeliverAsync(second);
        Later();
        await AdjustBalanceAsync(_manager, customer.Id, 5m);

        async Task<Page<BalanceLedgerEntryResponse>> ListAsync(string query) =>
            await ReadAsync<Page<BalanceLedgerEntryResponse>>(await _rep.GetAsync($"/api/v1/customers/{customer.Id}/balance-ledger?{query}"), HttpStatusCode.OK);

        var ofFirst = await ListAsync($"contractId={first.ContractId}&includeTotal=true");
        var withKind = await ListAsync($"contractId={second.ContractId}&kind=contractSigned");
        var otherKind = await ListAsync($"contractId={second.ContractId}&kind=paymentReceived");
        var unknown = await ListAsync($"contractId={Guid.CreateVersion7()}");
        Assert.Multiple(async () =>
        {
            Assert.That(ofFirst.Items.Select(e => (e.Id, e.Amount, e.BalanceAfter)), Is.EqualTo(new[] { (first.EventId, 1000m, 1000m) }), "balanceAfter over the whole ledger");
            Assert.That(ofFirst.Total, Is.EqualTo(1));
            Assert.That(withKind.Items.Select(e => (e.Id, e.BalanceAfter)), Is.EqualTo(new[] { (second.EventId, 1300m) }));
            Assert.That(otherKind.Items, Is.Empty);
            Assert.That(unknown.Items, Is.Empty);
            await ReadProblemAsync(await _rep.GetAsync($"/api/v1/customers/{customer.Id}/balance-ledger?contractId=HT-001"), HttpStatusCode.BadRequest);
        });

        // A customer with a long ledger over many contracts: the contract's entries are one seek, not a walk of the ledger.
        await CountAsync($"""
            INSERT INTO customers.balance_ledger (event_id, customer_id, delta, kind, contract_id, applied_at)
            SELECT gen_random_uuid(), '{customer.Id}', 0, 'paymentReceived', ('00000000-0000-0000-0000-' || lpad((i % 500)::text, 12, '0'))::uuid,
                   now() - i * interval '1 minute'
            FROM generate_series(1, 20000) AS i
            RETURNING 1
            """);
        await CountAsync("VACUUM ANALYZE customers.balance_ledger");
        var plan = await ExplainAsync($"""
            SELECT event_id FROM customers.balance_ledger
            WHERE customer_id = '{customer.Id}' AND contract_id = '{first.ContractId}'
            ORDER BY applied_at DESC, event_id DESC LIMIT 51
            """);
        Assert.That(plan, Does.Contain("ix_balance_ledger_customer_id_contract_id_applied_at_event_id"));
    }

    [Test]
    public async Task A_merge_moves_the_losers_balance_through_merged_out_and_merged_in_entries_and_later_events_follow_the_survivor()
    {
        var (survivor, _) = await CreateAsync(_rep, "存续客户");
        var (loser, _) = await CreateAsync(_rep, "被合并客户");
        await AdjustBalanceAsync(_manager, survivor.Id, 100m);
        await AdjustBalanceAsync(_manager, loser.Id, 20.50m);
        Later();

        var merged = await ReadAsync<CustomerResponse>(
            await _manager.PostAsync($"/api/v1/customers/{survivor.Id}/merge", JsonBody(new { loserId = loser.Id, reason = "重复客户" })), HttpStatusCode.OK);
        Later();
        await DeliverAsync(Signed(loser.Id, 1000m));
        var ledger = await ReadAsync<Page<BalanceLedgerEntryResponse>>(await _rep.GetAsync($"/api/v1/customers/{survivor.Id}/balance-ledger"), HttpStatusCode.OK);

        Assert.Multiple(async () =>
        {
            Assert.That(merged.OutstandingBalance, Is.EqualTo(120.50m));
            Assert.That(ledger.Items.Select(e => (e.Kind, e.Amount, e.BalanceAfter)),
                Is.EqualTo(new[] { ("contractSigned", 1000m, 1120.50m), ("mergedIn", 20.50m, 120.50m), ("manualAdjustment", 100m, 100m) }));
            Assert.That(ledger.Items[1].Reference, Is.EqualTo(loser.Code));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.balance_ledger WHERE customer_id = '{loser.Id}' AND kind = 'mergedOut' AND delta = -20.50 AND reference = '{survivor.Code}'"), Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.customers WHERE id = '{loser.Id}' AND outstanding_balance = 0"), Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.customers WHERE id = '{survivor.Id}' AND outstanding_balance = 1120.50"), Is.EqualTo(1));
            Assert.That(await CountAsync(LedgerMismatches), Is.Zero);
        });
    }

    [Test]
    public async Task The_migration_gives_every_customer_whose_ledger_does_not_explain_its_balance_one_opening_entry()
    {
        var (fromCreate, _) = await CreateAsync(_rep, "创建时带欠款");
        var (partly, _) = await CreateAsync(_rep, "部分有台账");
        var (explained, _) = await CreateAsync(_rep, "台账一致");
        var (survivor, _) = await CreateAsync(_rep, "旧合并存续");
        var (loser, _) = await CreateAsync(_rep, "旧合并被并");
        await using var scope = Factory.Services.CreateAsyncScope();
        var migrator = scope.ServiceProvider.GetRequiredService<CustomersDbContext>().GetService<IMigrator>();
        await migrator.MigrateAsync(BeforeLedgerMigration);
        try
        {
            // The state the old code could leave: a balance given on create, a balance moved outside events, and an event
            // for a merged-away customer recorded on it while its survivor's balance moved.
            var now = Factory.Time.GetUtcNow();
            await CountAsync($"""
                WITH a AS (UPDATE customers.customers SET outstanding_balance = 500 WHERE id = '{fromCreate.Id}' RETURNING 1),
                     b AS (UPDATE customers.customers SET outstanding_balance = CASE id WHEN '{partly.Id}' THEN 350 ELSE 100 END WHERE id IN ('{partly.Id}', '{explained.Id}') RETURNING 1),
                     c AS (UPDATE customers.customers SET status = 'Merged', merged_into_id = '{survivor.Id}', merged_at = '{now.AddDays(-1):O}' WHERE id = '{loser.Id}' RETURNING 1),
                     d AS (UPDATE customers.customers SET outstanding_balance = 70 WHERE id = '{survivor.Id}' RETURNING 1),
                     e AS (INSERT INTO customers.balance_ledger (event_id, customer_id, delta, kind, contract_id, applied_at) VALUES
                           (gen_random_uuid(), '{partly.Id}', 300, 'contractSigned', gen_random_uuid(), '{now:O}'),
                           (gen_random_uuid(), '{explained.Id}', 100, 'contractSigned', gen_random_uuid(), '{now:O}'),
                           (gen_random_uuid(), '{loser.Id}', 70, 'contractSigned', gen_random_uuid(), '{now:O}') RETURNING 1)
                SELECT (SELECT count(*) FROM a) + (SELECT count(*) FROM b) + (SELECT count(*) FROM c) + (SELECT count(*) FROM d) + (SELECT count(*) FROM e)
                """);
            Assert.That(await CountAsync(LedgerMismatches), Is.EqualTo(4));
        }
        finally
        {
            await migrator.MigrateAsync();
        }

        Assert.Multiple(async () =>
        {
            Assert.That(await CountAsync(LedgerMismatches), Is.Zero);
            Assert.That(await CountAsync("SELECT count(*) FROM customers.balance_ledger WHERE kind = 'opening'"), Is.EqualTo(2));
            Assert.That(await CountAsync(
                $"SELECT count(*) FROM customers.balance_ledger l JOIN customers.customers c ON c.id = l.customer_id WHERE l.kind = 'opening' AND c.id = '{fromCreate.Id}' AND l.delta = 500 AND l.applied_at <= c.created_at"),
                Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.balance_ledger WHERE kind = 'opening' AND customer_id = '{partly.Id}' AND delta = 50"), Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.balance_ledger WHERE customer_id = '{survivor.Id}' AND delta = 70"), Is.EqualTo(1));
        });
        var ledger = await ReadAsync<Page<BalanceLedgerEntryResponse>>(await _rep.GetAsync($"/api/v1/customers/{partly.Id}/balance-ledger"), HttpStatusCode.OK);
        Assert.That(ledger.Items.Select(e => (e.Kind, e.BalanceAfter)), Is.EqualTo(new[] { ("contractSigned", 350m), ("opening", 50m) }));
    }
}
