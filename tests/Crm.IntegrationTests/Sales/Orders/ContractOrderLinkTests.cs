using System.Net;
using System.Net.Http.Json;
using Crm.IntegrationTests.Infrastructure;
using Crm.IntegrationTests.Sales.Quotes;
using Crm.Modules.Sales.Features.Contracts;
using static Crm.IntegrationTests.Sales.Orders.OrderApi;

namespace Crm.IntegrationTests.Sales.Orders;

/// <summary><c>orderId</c> on a contract must name an order the caller sees, of the contract's customer (create and PATCH).</summary>
internal sealed class ContractOrderLinkTests : IntegrationTest
{
    [Test]
    public async Task A_contract_links_only_a_visible_order_of_its_own_customer()
    {
        var org = await QuoteApi.CreateOrgAsync(Factory);
        using var director = Factory.ClientFor(org.Director);
        using var rep = Factory.ClientFor(org.EastRep);
        using var southRep = Factory.ClientFor(org.SouthRep);
        var product = await ProductAsync(director, "LINK-1", 100m);
        var customer = await CustomerAsync(rep, "合同订单客户");
        var other = await CustomerAsync(rep, "另一个客户");
        var southCustomer = await CustomerAsync(southRep, "华南客户");
        var (order, _) = await CreateAsync(rep, customer, product);
        var (otherOrder, _) = await CreateAsync(rep, other, product);
        var (southOrder, _) = await CreateAsync(southRep, southCustomer, product);

        HttpContent Body(Guid customerId, Guid orderId) => JsonContent.Create(
            new { customerId, title = "供货合同", amount = 1000m, startDate = new DateOnly(2026, 12, 1), endDate = new DateOnly(2027, 11, 30), orderId }, options: Json);

        var linked = await ReadAsync<ContractResponse>(await rep.PostAsync("/api/v1/sales/contracts", Body(customer, order.Id)), HttpStatusCode.Created);
        var wrongCustomer = await rep.PostAsync("/api/v1/sales/contracts", Body(customer, otherOrder.Id));
        var invisible = await rep.PostAsync("/api/v1/sales/contracts", Body(customer, southOrder.Id));
        var unknown = await rep.PostAsync("/api/v1/sales/contracts", Body(customer, Guid.NewGuid()));
        var patched = await rep.PatchAsync($"/api/v1/sales/contracts/{linked.Id}", JsonContent.Create(new { orderId = otherOrder.Id }, options: Json));
        var unlinked = await rep.PatchAsync($"/api/v1/sales/contracts/{linked.Id}", JsonContent.Create(new { orderId = (Guid?)null }, options: Json));
        var relinked = await rep.PatchAsync($"/api/v1/sales/contracts/{linked.Id}", JsonContent.Create(new { orderId = order.Id }, options: Json));

        Assert.Multiple(async () =>
        {
            Assert.That(linked.OrderId, Is.EqualTo(order.Id));
            foreach (var response in new[] { wrongCustomer, invisible, unknown, patched })
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity), await response.Content.ReadAsStringAsync());
                Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("unknown-order"));
            }

            Assert.That(unlinked.StatusCode, Is.EqualTo(HttpStatusCode.OK), await unlinked.Content.ReadAsStringAsync());
            Assert.That((await ReadAsync<ContractResponse>(relinked, HttpStatusCode.OK)).OrderId, Is.EqualTo(order.Id));
        });
    }
}
