using System.Net;
using Crm.IntegrationTests.Customers;
using Crm.IntegrationTests.Infrastructure;
using Crm.IntegrationTests.Sales.Quotes;
using Crm.Modules.Sales.Domain;
using static Crm.IntegrationTests.Sales.Orders.OrderApi;

namespace Crm.IntegrationTests.Sales.Orders;

/// <summary>
/// The credit check on confirm. Product at 1,000.00 with 13% VAT: one unit is an order of 1,130.00. The customer's limit is
/// 10,000.00 and it owes 2,000.00, so 8,000.00 is available before any open order.
/// </summary>
internal sealed class OrderCreditTests : IntegrationTest
{
    private QuoteOrg _org = null!;
    private HttpClient _rep = null!;
    private HttpClient _manager = null!;
    private Guid _product;
    private Guid _customer;

    [SetUp]
    public async Task ArrangeAsync()
    {
        _org = await QuoteApi.CreateOrgAsync(Factory);
        _rep = Factory.ClientFor(_org.EastRep);
        _manager = Factory.ClientFor(_org.EastManager);
        using var director = Factory.ClientFor(_org.Director);
        _product = await ProductAsync(director, "CR-1000", 1000m);
        _customer = await CustomerAsync(_rep, "信用客户", creditLimit: 10_000m);
        await SetOutstandingBalanceAsync(_customer, 2_000m);
    }

    [TearDown]
    public void DisposeClients()
    {
        _rep.Dispose();
        _manager.Dispose();
    }

    [Test]
    public async Task An_order_within_the_available_credit_is_confirmed_without_an_override()
    {
        var (order, _) = await CreateAsync(_rep, _customer, _product, quantity: 7m);

        var confirmed = await ActOkAsync(_rep, order.Id, "confirm");

        Assert.Multiple(() =>
        {
            Assert.That(order.Total, Is.EqualTo(7_910.00m));
            Assert.That(confirmed.Status, Is.EqualTo(OrderStatus.Confirmed));
            Assert.That(confirmed.CreditOverride, Is.Null);
        });
    }

    [Test]
    public async Task An_order_over_the_available_credit_is_422_with_the_exact_figures_and_stays_a_draft()
    {
        var (open, _) = await CreateAsync(_rep, _customer, _product, quantity: 2m);
        await ActOkAsync(_rep, open.Id, "confirm");
        var (order, _) = await CreateAsync(_rep, _customer, _product, quantity: 6m);

        var problem = await ReadProblemAsync(await ActAsync(_rep, order.Id, "confirm"), HttpStatusCode.UnprocessableEntity);
        var (after, _) = await GetAsync(_rep, order.Id);

        Assert.Multiple(() =>
        {
            Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo("https://crm.local/problems/credit-limit-exceeded"));
            Assert.That(problem.GetProperty("creditLimit").GetDecimal(), Is.EqualTo(10_000.00m));
            Assert.That(problem.GetProperty("outstandingBalance").GetDecimal(), Is.EqualTo(2_000.00m));
            Assert.That(problem.GetProperty("openOrders").GetDecimal(), Is.EqualTo(2_260.00m));
            Assert.That(problem.GetProperty("orderAmount").GetDecimal(), Is.EqualTo(6_780.00m));
            Assert.That(problem.GetProperty("available").GetDecimal(), Is.EqualTo(5_740.00m));
            Assert.That(problem.GetProperty("currency").GetString(), Is.EqualTo("CNY"));
            Assert.That(after.Status, Is.EqualTo(OrderStatus.Draft));
        });
    }

    [Test]
    public async Task Shipped_orders_count_as_open_but_completed_and_cancelled_ones_free_the_credit()
    {
        var (shipped, _) = await CreateAsync(_rep, _customer, _product, quantity: 3m);
        await ActOkAsync(_rep, shipped.Id, "confirm");
        await ActOkAsync(_rep, shipped.Id, "ship");
        var (cancelled, _) = await CreateAsync(_rep, _customer, _product, quantity: 3m);
        await ActOkAsync(_rep, cancelled.Id, "confirm");
        var (order, _) = await CreateAsync(_rep, _customer, _product, quantity: 2m);

        // Open: 3,390 shipped + 3,390 confirmed = 6,780, so 1,220 is left for an order of 2,260.
        var problem = await ReadProblemAsync(await ActAsync(_rep, order.Id, "confirm"), HttpStatusCode.UnprocessableEntity);
        Assert.That(problem.GetProperty("openOrders").GetDecimal(), Is.EqualTo(6_780.00m));

        await ActOkAsync(_rep, cancelled.Id, "cancel", new { reason = "客户撤单" });
        await ActOkAsync(_rep, shipped.Id, "complete");
        var confirmed = await ActOkAsync(_rep, order.Id, "confirm");
        Assert.That(confirmed.Status, Is.EqualTo(OrderStatus.Confirmed));
    }

    [Test]
    public async Task A_manager_override_confirms_it_and_is_stored_and_audited()
    {
        var (order, _) = await CreateAsync(_rep, _customer, _product, quantity: 8m);

        var confirmed = await ActOkAsync(_manager, order.Id, "confirm", new { @override = new { reason = "战略客户，总监同意" } });
        var (fetched, _) = await GetAsync(_rep, order.Id);
        var audited = await CountAsync(
            $"SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'order' AND entity_id = '{order.Id}' AND changes::text LIKE '%战略客户，总监同意%'");

        Assert.Multiple(() =>
        {
            Assert.That(confirmed.Status, Is.EqualTo(OrderStatus.Confirmed));
            Assert.That(fetched.CreditOverride, Is.Not.Null);
            Assert.That(fetched.CreditOverride!.By, Is.EqualTo(_org.EastManager.Id));
            Assert.That(fetched.CreditOverride.Reason, Is.EqualTo("战略客户，总监同意"));
            Assert.That(fetched.CreditOverride.At, Is.EqualTo(fetched.ConfirmedAt));
            Assert.That(audited, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_reps_override_is_403_and_an_override_needs_a_reason()
    {
        var (order, _) = await CreateAsync(_rep, _customer, _product, quantity: 8m);

        await ReadProblemAsync(await ActAsync(_rep, order.Id, "confirm", new { @override = new { reason = "我担保" } }), HttpStatusCode.Forbidden);
        var missing = await ReadProblemAsync(await ActAsync(_manager, order.Id, "confirm", new { @override = new { reason = "" } }), HttpStatusCode.BadRequest);
        var (after, _) = await GetAsync(_rep, order.Id);

        Assert.Multiple(() =>
        {
            Assert.That(missing.GetProperty("errors").TryGetProperty("override.reason", out _), Is.True, missing.ToString());
            Assert.That(after.Status, Is.EqualTo(OrderStatus.Draft));
            Assert.That(after.CreditOverride, Is.Null);
        });
    }

    [Test]
    public async Task A_customer_without_a_credit_limit_passes_the_check()
    {
        var unlimited = await CustomerAsync(_rep, "无额度客户");
        await SetOutstandingBalanceAsync(unlimited, 1_000_000m);
        var (order, _) = await CreateAsync(_rep, unlimited, _product, quantity: 50m);

        var confirmed = await ActOkAsync(_rep, order.Id, "confirm");

        Assert.That(confirmed.Status, Is.EqualTo(OrderStatus.Confirmed));
    }

    [Test]
    public async Task Confirming_raises_OrderPlaced_which_lands_on_the_customer_timeline()
    {
        var (order, _) = await CreateAsync(_rep, _customer, _product, quantity: 1m);
        var (overridden, _) = await CreateAsync(_rep, _customer, _product, quantity: 7m);
        await ActOkAsync(_rep, order.Id, "confirm");
        await ActOkAsync(_manager, overridden.Id, "confirm", new { @override = new { reason = "年底冲量" } });
        await DispatchOutboxAsync();

        var timeline = await ReadAsync<TimelineTests.TimelinePage>(await _rep.GetAsync($"/api/v1/customers/{_customer}/timeline?limit=50"), HttpStatusCode.OK);
        var orders = timeline.Items.Where(e => e.Kind == "order").Select(e => e.Summary).ToArray();

        Assert.That(orders, Is.EquivalentTo(new[]
        {
            $"Order {order.Number} placed: 1,130.00 CNY",
            $"Order {overridden.Number} placed: 7,910.00 CNY (credit limit overridden)",
        }));
    }
}
