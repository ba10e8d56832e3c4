using System.Net;
using System.Text;
using System.Text.Json;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.Actions;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using static Crm.IntegrationTests.Customers.CustomerApi;

namespace Crm.IntegrationTests.Customers;

internal sealed class CustomerActionTests : IntegrationTest
{
    internal sealed record HistoryPage(List<CustomerHistoryResponse> Items, string? NextCursor);

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

    private static HttpRequestMessage Action(Guid id, string action, object body, string? ifMatch = null, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/customers/{id}/{action}") { Content = JsonBody(body) };
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

    private static async Task<CustomerResponse> OkAsync(HttpClient client, Guid id, string action, object body) =>
        await ReadAsync<CustomerResponse>(await client.SendAsync(Action(id, action, body)), HttpStatusCode.OK);

    private static async Task<string> ProblemTypeAsync(HttpClient client, Guid id, string action, object body, HttpStatusCode status) =>
        (await ReadProblemAsync(await client.SendAsync(Action(id, action, body)), status)).GetProperty("type").GetString()!;

    private static async Task<List<CustomerHistoryResponse>> HistoryAsync(HttpClient client, Guid id, string query = "") =>
        (await ReadAsync<HistoryPage>(await client.GetAsync($"/api/v1/customers/{id}/history{query}"), HttpStatusCode.OK)).Items;

    // The fake clock stands still; history pages order by time, so consecutive changes happen a minute apart.
    private static void Later() => Factory.Time.Advance(TimeSpan.FromMinutes(1));

    private static Task<long> OutboxCountAsync(string eventName) =>
        CountAsync($"SELECT count(*) FROM customers.outbox_messages WHERE type = 'Crm.Modules.Customers.Contracts.{eventName}'");

    [Test]
    public async Task Blacklisting_keeps_reason_and_date_with_history_audit_and_event_and_a_second_time_is_409()
    {
        var (customer, etag) = await CreateAsync(_rep, "失信公司");

        var blacklisted = await ReadAsync<CustomerResponse>(await _rep.SendAsync(Action(customer.Id, "blacklist", new { reason = "恶意拖欠货款" }, etag)), HttpStatusCode.OK);

        Assert.Multiple(async () =>
        {
            Assert.That(blacklisted.Status, Is.EqualTo(CustomerStatus.Blacklisted));
            Assert.That(blacklisted.BlacklistReason, Is.EqualTo("恶意拖欠货款"));
            Assert.That(blacklisted.BlacklistedAt, Is.EqualTo(Factory.Time.GetUtcNow()));
            var history = await HistoryAsync(_rep, customer.Id);
            Assert.That(history.Select(h => (h.Field, h.From, h.To, h.Reason, h.ActorId)),
                Is.EqualTo(new[] { (CustomerHistoryField.Status, (string?)"active", (string?)"blacklisted", (string?)"恶意拖欠货款", (Guid?)_org.Rep.Id) }));
            Assert.That(await CountAsync($"SELECT count(*) FROM platform.audit_entries WHERE entity_id = '{customer.Id}' AND action = 'updated' AND changes::text LIKE '%blacklistReason%'"), Is.EqualTo(1));
            Assert.That(await OutboxCountAsync("CustomerBlacklisted"), Is.EqualTo(1));
            Assert.That(await ProblemTypeAsync(_rep, customer.Id, "blacklist", new { reason = "again" }, HttpStatusCode.Conflict), Does.EndWith("/already-blacklisted"));
        });
    }

    [Test]
    public async Task Only_managers_and_admins_take_a_customer_off_the_blacklist_and_only_a_blacklisted_one()
    {
        var (customer, _) = await CreateAsync(_rep, "黑名单客户");
        Assert.That(await ProblemTypeAsync(_manager, customer.Id, "unblacklist", new { reason = "x" }, HttpStatusCode.Conflict), Does.EndWith("/not-blacklisted"));
        await OkAsync(_rep, customer.Id, "blacklist", new { reason = "拖欠" });

        await ReadProblemAsync(await _rep.SendAsync(Action(customer.Id, "unblacklist", new { reason = "还清欠款" })), HttpStatusCode.Forbidden);
        Later();
        var lifted = await OkAsync(_manager, customer.Id, "unblacklist", new { reason = "还清欠款" });

        Assert.Multiple(async () =>
        {
            Assert.That(lifted.Status, Is.EqualTo(CustomerStatus.Active));
            Assert.That(lifted.BlacklistReason, Is.Null);
            Assert.That(lifted.BlacklistedAt, Is.Null);
            var history = await HistoryAsync(_rep, customer.Id, "?field=status");
            Assert.That(history.Select(h => (h.From, h.To, h.Reason)), Is.EqualTo(new[] { ((string?)"blacklisted", (string?)"active", (string?)"还清欠款"), ("active", "blacklisted", "拖欠") }));
            Assert.That(await OutboxCountAsync("CustomerUnblacklisted"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Churning_records_date_reason_competitor_and_stage_reached_and_reactivation_clears_them()
    {
        var (customer, _) = await CreateAsync(_rep, new { kind = "organization", name = "流失客户", lifecycleStage = "decline" });
        var lostAt = Factory.Time.GetUtcNow().AddDays(-3);

        var churned = await OkAsync(_rep, customer.Id, "churn", new { reason = "价格太高", competitor = "竞品公司", churnedAt = lostAt });
        Assert.Multiple(() =>
        {
            Assert.That(churned.Status, Is.EqualTo(CustomerStatus.Churned));
            Assert.That(churned.ChurnedAt, Is.EqualTo(lostAt));
            Assert.That(churned.ChurnReason, Is.EqualTo("价格太高"));
            Assert.That(churned.ChurnCompetitor, Is.EqualTo("竞品公司"));
            Assert.That(churned.ChurnStage, Is.EqualTo(LifecycleStage.Decline));
        });
        Assert.That(await ProblemTypeAsync(_rep, customer.Id, "churn", new { reason = "again" }, HttpStatusCode.Conflict), Does.EndWith("/already-churned"));
        Later();

        var back = await OkAsync(_rep, customer.Id, "reactivate", new { reason = "重新签约" });
        Assert.Multiple(async () =>
        {
            Assert.That(back.Status, Is.EqualTo(CustomerStatus.Active));
            Assert.That((back.ChurnedAt, back.ChurnReason, back.ChurnCompetitor, back.ChurnStage), Is.EqualTo(((DateTimeOffset?)null, (string?)null, (string?)null, (LifecycleStage?)null)));
            Assert.That((await HistoryAsync(_rep, customer.Id)).Select(h => h.To), Is.EqualTo(new[] { "active", "churned" }));
            Assert.That(await OutboxCountAsync("CustomerChurned"), Is.EqualTo(1));
            Assert.That(await OutboxCountAsync("CustomerReactivated"), Is.EqualTo(1));
            Assert.That(await ProblemTypeAsync(_rep, customer.Id, "reactivate", new { reason = "again" }, HttpStatusCode.Conflict), Does.EndWith("/not-churned"));
        });
    }

    [Test]
    public async Task A_blacklisted_customer_cannot_be_churned_nor_reactivated_but_a_churned_one_can_be_blacklisted()
    {
        var (blacklisted, _) = await CreateAsync(_rep, "黑名单");
        await OkAsync(_rep, blacklisted.Id, "blacklist", new { reason = "欺诈" });
        var (churned, _) = await CreateAsync(_rep, "已流失");
        await OkAsync(_rep, churned.Id, "churn", new { reason = "倒闭" });
        Later();

        Assert.Multiple(async () =>
        {
            Assert.That(await ProblemTypeAsync(_rep, blacklisted.Id, "churn", new { reason = "x" }, HttpStatusCode.Conflict), Does.EndWith("/customer-blacklisted"));
            Assert.That(await ProblemTypeAsync(_rep, blacklisted.Id, "reactivate", new { reason = "x" }, HttpStatusCode.Conflict), Does.EndWith("/not-churned"));
            Assert.That((await OkAsync(_rep, churned.Id, "blacklist", new { reason = "欠款不还" })).Status, Is.EqualTo(CustomerStatus.Blacklisted));
            Assert.That((await HistoryAsync(_rep, churned.Id)).Select(h => (h.From, h.To)).First(), Is.EqualTo(((string?)"churned", (string?)"blacklisted")));
        });
    }

    [TestCase("blacklist")]
    [TestCase("unblacklist")]
    [TestCase("churn")]
    [TestCase("reactivate")]
    [TestCase("key-account")]
    [TestCase("credit-limit")]
    public async Task Every_action_on_an_archived_customer_is_409_customer_archived(string action)
    {
        var (customer, _) = await CreateAsync(_rep, "已归档");
        await ReadAsync<CustomerResponse>(await _rep.DeleteAsync($"/api/v1/customers/{customer.Id}"), HttpStatusCode.OK);
        object body = action switch
        {
            "key-account" => new { isKeyAccount = true, isPotentialKeyAccount = false, reason = "x" },
            "credit-limit" => new { creditLimit = 100m, reason = "x" },
            _ => new { reason = "x" },
        };

        Assert.That(await ProblemTypeAsync(_manager, customer.Id, action, body, HttpStatusCode.Conflict), Does.EndWith("/customer-archived"));
        Assert.That(await CountAsync("SELECT count(*) FROM customers.customer_history"), Is.Zero);
    }

    [TestCase("blacklist")]
    [TestCase("churn")]
    [TestCase("key-account")]
    [TestCase("credit-limit")]
    public async Task Actions_on_customers_the_caller_cannot_see_are_404(string action)
    {
        // The other rep's customer is outside the sales manager's subtree, and outside the rep's own customers.
        using var other = Factory.ClientFor(_org.OtherRep);
        var (customer, _) = await CreateAsync(other, "别人的");
        object body = action switch
        {
            "key-account" => new { isKeyAccount = true, isPotentialKeyAccount = false, reason = "x" },
            "credit-limit" => new { creditLimit = 100m, reason = "x" },
            _ => new { reason = "x" },
        };
        var caller = action is "key-account" or "credit-limit" ? _manager : _rep;

        await ReadProblemAsync(await caller.SendAsync(Action(customer.Id, action, body)), HttpStatusCode.NotFound);
        await ReadProblemAsync(await caller.SendAsync(Action(Guid.NewGuid(), action, body)), HttpStatusCode.NotFound);
        Assert.That(await CountAsync("SELECT count(*) FROM customers.customer_history"), Is.Zero);
    }

    [Test]
    public async Task Managers_promote_and_demote_key_accounts_with_history_and_reps_may_not()
    {
        var (customer, etag) = await CreateAsync(_rep, "潜力客户");
        await ReadProblemAsync(await _rep.SendAsync(Action(customer.Id, "key-account", new { isKeyAccount = true, isPotentialKeyAccount = false, reason = "x" })), HttpStatusCode.Forbidden);

        var potential = await ReadAsync<CustomerResponse>(
            await _manager.SendAsync(Action(customer.Id, "key-account", new { isKeyAccount = false, isPotentialKeyAccount = true, reason = "年采购额有望过千万" }, etag)), HttpStatusCode.OK);
        var key = await OkAsync(_manager, customer.Id, "key-account", new { isKeyAccount = true, isPotentialKeyAccount = false, reason = "签下年度框架协议" });
        var unchanged = await OkAsync(_manager, customer.Id, "key-account", new { isKeyAccount = true, isPotentialKeyAccount = false, reason = "重复提交" });

        Assert.Multiple(async () =>
        {
            Assert.That((potential.IsKeyAccount, potential.IsPotentialKeyAccount), Is.EqualTo((false, true)));
            Assert.That((key.IsKeyAccount, key.IsPotentialKeyAccount), Is.EqualTo((true, false)));
            Assert.That(unchanged.UpdatedAt, Is.EqualTo(key.UpdatedAt));
            var history = await HistoryAsync(_rep, customer.Id);
            Assert.That(history.Select(h => (h.Field, h.From, h.To)).ToHashSet(), Is.EquivalentTo(new[]
            {
                (CustomerHistoryField.IsPotentialKeyAccount, (string?)"false", (string?)"true"),
                (CustomerHistoryField.IsKeyAccount, "false", "true"),
                (CustomerHistoryField.IsPotentialKeyAccount, "true", "false"),
            }));
            Assert.That(await OutboxCountAsync("CustomerKeyAccountChanged"), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task A_customer_that_is_not_active_cannot_be_promoted_but_can_be_demoted()
    {
        var (customer, _) = await CreateAsync(_rep, new { kind = "organization", name = "大客户", isKeyAccount = true });
        await OkAsync(_rep, customer.Id, "churn", new { reason = "转投竞品" });

        Assert.That(await ProblemTypeAsync(_manager, customer.Id, "key-account", new { isKeyAccount = false, isPotentialKeyAccount = true, reason = "x" }, HttpStatusCode.Conflict),
            Does.EndWith("/customer-not-active"));
        var demoted = await OkAsync(_manager, customer.Id, "key-account", new { isKeyAccount = false, isPotentialKeyAccount = false, reason = "已流失" });
        Assert.That(demoted.IsKeyAccount, Is.False);
    }

    [Test]
    public async Task Credit_limit_changes_by_managers_with_rating_history_and_event()
    {
        var (customer, _) = await CreateAsync(_rep, new { kind = "organization", name = "信用客户", creditLimit = 10000m });
        await ReadProblemAsync(await _rep.SendAsync(Action(customer.Id, "credit-limit", new { creditLimit = 1m, reason = "x" })), HttpStatusCode.Forbidden);

        var changed = await OkAsync(_manager, customer.Id, "credit-limit", new { creditLimit = 50000.50m, creditRating = "aa", reason = "年审上调" });

        Assert.Multiple(async () =>
        {
            Assert.That((changed.CreditLimit, changed.CreditRating), Is.EqualTo(((decimal?)50000.50m, "AA")));
            Assert.That((await HistoryAsync(_rep, customer.Id, "?field=creditLimit")).Select(h => (h.From, h.To)), Is.EqualTo(new[] { ((string?)"10000.00", (string?)"50000.50") }));
            Assert.That((await HistoryAsync(_rep, customer.Id, "?field=creditRating")).Select(h => (h.From, h.To)), Is.EqualTo(new[] { ((string?)null, (string?)"AA") }));
            Assert.That(await OutboxCountAsync("CustomerCreditLimitChanged"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_credit_limit_below_the_outstanding_balance_is_accepted_and_flagged_on_the_event()
    {
        var (customer, _) = await CreateAsync(_rep, new { kind = "organization", name = "欠款客户", creditLimit = 10000m });
        await AdjustBalanceAsync(_manager, customer.Id, 8000m);

        var changed = await OkAsync(_manager, customer.Id, "credit-limit", new { creditLimit = 5000m, reason = "逾期未付，收紧额度" });

        Assert.Multiple(async () =>
        {
            Assert.That((changed.CreditLimit, changed.OutstandingBalance), Is.EqualTo(((decimal?)5000m, 8000m)));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.outbox_messages WHERE payload->>'balanceExceedsLimit' = 'true' AND (payload->>'outstandingBalance')::numeric = 8000"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_customer_that_is_not_active_gets_no_higher_credit_limit_but_a_lower_one()
    {
        var (customer, _) = await CreateAsync(_rep, new { kind = "organization", name = "黑名单信用", creditLimit = 10000m });
        await OkAsync(_rep, customer.Id, "blacklist", new { reason = "欺诈" });

        Assert.That(await ProblemTypeAsync(_manager, customer.Id, "credit-limit", new { creditLimit = 20000m, reason = "x" }, HttpStatusCode.Conflict), Does.EndWith("/customer-not-active"));
        Assert.That((await OkAsync(_manager, customer.Id, "credit-limit", new { creditLimit = 0m, reason = "冻结" })).CreditLimit, Is.EqualTo(0m));
    }

    [TestCase("blacklist", """{}""", "reason")]
    [TestCase("blacklist", """{"reason":"   "}""", "reason")]
    [TestCase("churn", """{"reason":"x","churnedAt":"2030-01-01T00:00:00Z"}""", "churnedAt")]
    [TestCase("key-account", """{"reason":"x","isPotentialKeyAccount":false}""", "isKeyAccount")]
    [TestCase("key-account", """{"reason":"x","isKeyAccount":true,"isPotentialKeyAccount":true}""", "isPotentialKeyAccount")]
    [TestCase("credit-limit", """{"reason":"x","creditLimit":-1}""", "creditLimit")]
    [TestCase("credit-limit", """{"reason":"x","creditLimit":1.234}""", "creditLimit")]
    [TestCase("credit-limit", """{"reason":"x"}""", "creditLimit")]
    [TestCase("credit-limit", """{"reason":"x","creditLimit":1,"creditRating":"ABCDEFGHIJK"}""", "creditRating")]
    public async Task Invalid_action_bodies_are_400_with_field_errors(string action, string json, string field)
    {
        var (customer, _) = await CreateAsync(_rep, "校验");
        var response = await _manager.PostAsync($"/api/v1/customers/{customer.Id}/{action}", new StringContent(json, Encoding.UTF8, "application/json"));
        var problem = await ReadProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True, problem.ToString());
    }

    [Test]
    public async Task Malformed_action_bodies_are_400()
    {
        var (customer, _) = await CreateAsync(_rep, "坏请求");
        await ReadProblemAsync(await _manager.PostAsync($"/api/v1/customers/{customer.Id}/credit-limit", new StringContent("""{"creditLimit":"lots","reason":"x"}""", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        await ReadProblemAsync(await _manager.PostAsync($"/api/v1/customers/{customer.Id}/blacklist", new StringContent("""{"reason":""", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task A_stale_If_Match_is_412_and_changes_nothing()
    {
        var (customer, etag) = await CreateAsync(_rep, "并发");
        await OkAsync(_rep, customer.Id, "churn", new { reason = "先到" });

        await ReadProblemAsync(await _rep.SendAsync(Action(customer.Id, "reactivate", new { reason = "后到" }, etag)), HttpStatusCode.PreconditionFailed);
        Assert.That(await CountAsync("SELECT count(*) FROM customers.customer_history"), Is.EqualTo(1));
    }

    [Test]
    public async Task An_Idempotency_Key_replays_the_first_response_without_a_second_change()
    {
        var (customer, _) = await CreateAsync(_rep, "幂等");

        var first = await _rep.SendAsync(Action(customer.Id, "blacklist", new { reason = "拖欠" }, idempotencyKey: "blacklist-1"));
        var replay = await _rep.SendAsync(Action(customer.Id, "blacklist", new { reason = "拖欠" }, idempotencyKey: "blacklist-1"));
        var reused = await _rep.SendAsync(Action(customer.Id, "blacklist", new { reason = "别的原因" }, idempotencyKey: "blacklist-1"));

        Assert.Multiple(async () =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(replay.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a replay, not 409 already-blacklisted");
            Assert.That(await replay.Content.ReadAsStringAsync(), Is.EqualTo(await first.Content.ReadAsStringAsync()));
            await ReadProblemAsync(reused, HttpStatusCode.UnprocessableEntity);
            Assert.That(await CountAsync("SELECT count(*) FROM customers.customer_history"), Is.EqualTo(1));
            Assert.That(await OutboxCountAsync("CustomerBlacklisted"), Is.EqualTo(1));
        });
    }

    [TestCase("status", "\"churned\"", "/churn")]
    [TestCase("isKeyAccount", "true", "/key-account")]
    [TestCase("isPotentialKeyAccount", "false", "/key-account")]
    [TestCase("creditLimit", "100", "/credit-limit")]
    [TestCase("creditRating", "\"A\"", "/credit-limit")]
    [TestCase("outstandingBalance", "0", "payment events")]
    public async Task Patch_refuses_action_owned_fields_naming_the_action(string field, string value, string action)
    {
        var (customer, _) = await CreateAsync(_rep, "不可直接改");

        var problem = await ReadProblemAsync(await _rep.SendAsync(Patch(customer.Id, $$"""{"name":"新名字","{{field}}":{{value}}}""")), HttpStatusCode.BadRequest);

        Assert.That(problem.GetProperty("errors").GetProperty(field)[0].GetString(), Does.Contain(action));
        var unchanged = await ReadAsync<CustomerResponse>(await _rep.GetAsync($"/api/v1/customers/{customer.Id}"), HttpStatusCode.OK);
        Assert.That(unchanged.Name, Is.EqualTo("不可直接改"));
    }

    [Test]
    public async Task A_lifecycle_stage_change_by_patch_writes_stage_history_and_an_event_and_other_patches_do_not()
    {
        var (customer, _) = await CreateAsync(_rep, "阶段客户");

        await ReadAsync<CustomerResponse>(await _rep.SendAsync(Patch(customer.Id, """{"lifecycleStage":"development"}""")), HttpStatusCode.OK);
        await ReadAsync<CustomerResponse>(await _rep.SendAsync(Patch(customer.Id, """{"shortName":"阶段"}""")), HttpStatusCode.OK);
        Later();
        await ReadAsync<CustomerResponse>(await _rep.SendAsync(Patch(customer.Id, """{"lifecycleStage":"growth"}""")), HttpStatusCode.OK);

        var history = await HistoryAsync(_rep, customer.Id, "?field=lifecycleStage");
        Assert.Multiple(async () =>
        {
            Assert.That(history.Select(h => (h.From, h.To, h.Reason, h.ActorId)),
                Is.EqualTo(new[] { ((string?)"development", (string?)"growth", (string?)null, (Guid?)_org.Rep.Id), ("potential", "development", null, _org.Rep.Id) }));
            Assert.That(await OutboxCountAsync("CustomerLifecycleStageChanged"), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task History_is_keyset_paged_newest_first_filtered_by_field_and_visible_like_the_customer()
    {
        var (customer, _) = await CreateAsync(_rep, "历史");
        foreach (var stage in new[] { "development", "growth", "maturity" })
        {
            Factory.Time.Advance(TimeSpan.FromMinutes(1));
            await ReadAsync<CustomerResponse>(await _rep.SendAsync(Patch(customer.Id, $$"""{"lifecycleStage":"{{stage}}"}""")), HttpStatusCode.OK);
        }

        Factory.Time.Advance(TimeSpan.FromMinutes(1));
        await OkAsync(_rep, customer.Id, "churn", new { reason = "流失" });

        var first = await ReadAsync<HistoryPage>(await _rep.GetAsync($"/api/v1/customers/{customer.Id}/history?limit=3"), HttpStatusCode.OK);
        var second = await ReadAsync<HistoryPage>(await _rep.GetAsync($"/api/v1/customers/{customer.Id}/history?limit=3&cursor={first.NextCursor}"), HttpStatusCode.OK);
        using var other = Factory.ClientFor(_org.OtherRep);

        Assert.Multiple(async () =>
        {
            Assert.That(first.Items.Select(h => h.To), Is.EqualTo(new[] { "churned", "maturity", "growth" }));
            Assert.That(second.Items.Select(h => h.To), Is.EqualTo(new[] { "development" }));
            Assert.That(second.NextCursor, Is.Null);
            Assert.That((await HistoryAsync(_manager, customer.Id, "?field=status")).Select(h => h.To), Is.EqualTo(new[] { "churned" }));
            await ReadProblemAsync(await _rep.GetAsync($"/api/v1/customers/{customer.Id}/history?field=colour"), HttpStatusCode.BadRequest);
            await ReadProblemAsync(await _rep.GetAsync($"/api/v1/customers/{customer.Id}/history?cursor=nonsense"), HttpStatusCode.BadRequest);
            await ReadProblemAsync(await other.GetAsync($"/api/v1/customers/{customer.Id}/history"), HttpStatusCode.NotFound);
        });
    }
}
