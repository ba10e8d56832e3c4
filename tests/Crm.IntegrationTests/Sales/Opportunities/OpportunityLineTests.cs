using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Crm.IntegrationTests.Customers;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Sales.Features.Opportunities;
using Crm.Modules.Sales.Features.Products;

namespace Crm.IntegrationTests.Sales.Opportunities;

internal sealed class OpportunityLineTests : IntegrationTest
{
    private TestUser _rep = null!;
    private TestUser _otherRep = null!;
    private HttpClient _repClient = null!;
    private HttpClient _managerClient = null!;

    [SetUp]
    public async Task CreateOrgAsync()
    {
        var company = await TestUsers.CreateTeamAsync(Factory, "明细公司", TeamKind.Company);
        var east = await TestUsers.CreateTeamAsync(Factory, "华东", TeamKind.Department, company);
        var west = await TestUsers.CreateTeamAsync(Factory, "华西", TeamKind.Department, company);
        _managerClient = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesManager, east));
        _rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, east);
        _otherRep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, west);
        _repClient = Factory.ClientFor(_rep);
    }

    [TearDown]
    public void DisposeClients()
    {
        _repClient.Dispose();
        _managerClient.Dispose();
    }

    private async Task<ProductResponse> ProductAsync(string sku, decimal listPrice, string currency = "CNY") =>
        await ReadAsync<ProductResponse>(
            await _managerClient.PostAsync("/api/v1/sales/products", JsonBody(new { sku, name = sku + " 产品", unit = "套", listPrice, currency })), HttpStatusCode.Created);

    private async Task<(OpportunityResponse Opportunity, string ETag)> OpenAsync()
    {
        var customerId = (await CustomerApi.CreateAsync(_repClient, "明细客户")).Customer.Id;
        var response = await _repClient.PostAsync("/api/v1/sales/opportunities", JsonBody(new { name = "带明细的商机", customerId, amount = 99m }));
        return (await ReadAsync<OpportunityResponse>(response, HttpStatusCode.Created), response.Headers.ETag!.Tag);
    }

    private static HttpRequestMessage Send(HttpMethod method, string url, object? body, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonBody(body) };
        if (ifMatch is not null)
        {
            request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(ifMatch));
        }

        return request;
    }

    [Test]
    public async Task Lines_price_from_the_list_by_default_discount_and_make_the_amount_their_total_under_the_opportunitys_ETag()
    {
        var suite = await ProductAsync("CRM-STD", 100m);
        var service = await ProductAsync("IMPL-DAY", 800m);
        var (opportunity, etag) = await OpenAsync();
        var url = $"/api/v1/sales/opportunities/{opportunity.Id}/lines";

        var first = await _repClient.SendAsync(Send(HttpMethod.Post, url, new { productId = suite.Id, quantity = 3m, discountPercent = 10m }, etag));
        var afterFirst = await ReadAsync<OpportunityLinesResponse>(first, HttpStatusCode.OK);
        await ReadProblemAsync(await _repClient.SendAsync(Send(HttpMethod.Post, url, new { productId = service.Id, quantity = 1m }, etag)), HttpStatusCode.PreconditionFailed);
        Factory.Time.Advance(TimeSpan.FromSeconds(1)); // lines list oldest first: the second line is younger
        var afterSecond = await ReadAsync<OpportunityLinesResponse>(
            await _repClient.SendAsync(Send(HttpMethod.Post, url, new { productId = service.Id, quantity = 2.5m, unitPrice = 750.25m, discountPercent = 0.5m })), HttpStatusCode.OK);
        var lineId = afterSecond.Lines[1].Id;
        var afterChange = await ReadAsync<OpportunityLinesResponse>(
            await _repClient.SendAsync(Send(HttpMethod.Put, $"{url}/{lineId}", new { quantity = 2m, unitPrice = 700m })), HttpStatusCode.OK);
        var removed = await _repClient.SendAsync(Send(HttpMethod.Delete, $"{url}/{afterSecond.Lines[0].Id}", null));
        var afterRemove = await ReadAsync<OpportunityLinesResponse>(removed, HttpStatusCode.OK);
        var fetched = await _repClient.GetAsync($"/api/v1/sales/opportunities/{opportunity.Id}");

        Assert.Multiple(async () =>
        {
            Assert.That(afterFirst.Lines.Single().UnitPrice, Is.EqualTo(100m));
            Assert.That(afterFirst.Lines.Single().LineAmount, Is.EqualTo(270m));
            Assert.That(afterFirst.Amount, Is.EqualTo(270m));
            Assert.That(first.Headers.ETag!.Tag, Is.Not.EqualTo(etag));

            // 2.5 × 750.25 × 0.995 = 1866.2468…, rounded to cents
            Assert.That(afterSecond.Lines[1].LineAmount, Is.EqualTo(1866.25m));
            Assert.That(afterSecond.Amount, Is.EqualTo(2136.25m));
            Assert.That(afterChange.Amount, Is.EqualTo(1670m));
            Assert.That(afterRemove.Lines.Select(l => l.Sku), Is.EqualTo(new[] { "IMPL-DAY" }));
            Assert.That(afterRemove.Amount, Is.EqualTo(1400m));
            Assert.That((await ReadAsync<OpportunityResponse>(fetched, HttpStatusCode.OK)).Amount, Is.EqualTo(1400m));
            Assert.That(fetched.Headers.ETag!.Tag, Is.EqualTo(removed.Headers.ETag!.Tag));
        });
    }

    [Test]
    public async Task Bad_lines_are_400_inactive_products_too_and_a_price_in_another_currency_must_be_given()
    {
        var product = await ProductAsync("OLD-01", 10m);
        var dollars = await ProductAsync("USD-01", 10m, "USD");
        var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/sales/products/{product.Id}")
        {
            Content = new StringContent("""{"active":false}""", Encoding.UTF8, "application/merge-patch+json"),
        };
        await ReadAsync<ProductResponse>(await _managerClient.SendAsync(patch), HttpStatusCode.OK);
        var (opportunity, _) = await OpenAsync();
        var url = $"/api/v1/sales/opportunities/{opportunity.Id}/lines";

        var bad = await ReadProblemAsync(await _repClient.PostAsync(url, JsonBody(new { quantity = 0m, unitPrice = -1m, discountPercent = 101m })), HttpStatusCode.BadRequest);
        var inactive = await ReadProblemAsync(await _repClient.PostAsync(url, JsonBody(new { productId = product.Id, quantity = 1m })), HttpStatusCode.BadRequest);
        var mismatch = await ReadProblemAsync(await _repClient.PostAsync(url, JsonBody(new { productId = dollars.Id, quantity = 1m })), HttpStatusCode.UnprocessableEntity);
        var priced = await ReadAsync<OpportunityLinesResponse>(await _repClient.PostAsync(url, JsonBody(new { productId = dollars.Id, quantity = 1m, unitPrice = 72m })), HttpStatusCode.OK);

        Assert.Multiple(() =>
        {
            Assert.That(bad.GetProperty("errors").EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "productId", "quantity", "unitPrice", "discountPercent" }));
            Assert.That(inactive.GetProperty("errors").TryGetProperty("productId", out _), Is.True);
            Assert.That(mismatch.GetProperty("type").GetString(), Is.EqualTo(OpportunityLineProblems.CurrencyMismatchType));
            Assert.That(priced.Amount, Is.EqualTo(72m));
        });
    }

    [Test]
    public async Task While_it_has_lines_the_amount_and_currency_are_not_patchable_and_a_closed_opportunity_keeps_its_lines()
    {
        var product = await ProductAsync("LOCK-01", 10m);
        var (opportunity, _) = await OpenAsync();
        var url = $"/api/v1/sales/opportunities/{opportunity.Id}/lines";
        var lines = await ReadAsync<OpportunityLinesResponse>(await _repClient.PostAsync(url, JsonBody(new { productId = product.Id, quantity = 1m })), HttpStatusCode.OK);

        var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/sales/opportunities/{opportunity.Id}")
        {
            Content = new StringContent("""{"amount":5,"currency":"USD"}""", Encoding.UTF8, "application/merge-patch+json"),
        };
        var refused = await ReadProblemAsync(await _repClient.SendAsync(patch), HttpStatusCode.BadRequest);
        await ReadAsync<OpportunityResponse>(await _repClient.PostAsync($"/api/v1/sales/opportunities/{opportunity.Id}/win", null), HttpStatusCode.OK);
        var closed = await ReadProblemAsync(await _repClient.PostAsync(url, JsonBody(new { productId = product.Id, quantity = 1m })), HttpStatusCode.Conflict);
        await ReadProblemAsync(await _repClient.DeleteAsync($"{url}/{lines.Lines[0].Id}"), HttpStatusCode.Conflict);

        Assert.Multiple(() =>
        {
            Assert.That(refused.GetProperty("errors").EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "amount", "currency" }));
            Assert.That(closed.GetProperty("type").GetString(), Is.EqualTo(OpportunityProblems.ClosedType));
        });
    }

    [Test]
    public async Task Lines_of_invisible_or_missing_opportunities_are_404_and_a_missing_line_too()
    {
        var (opportunity, _) = await OpenAsync();
        using var other = Factory.ClientFor(_otherRep);

        await ReadProblemAsync(await other.GetAsync($"/api/v1/sales/opportunities/{opportunity.Id}/lines"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await _repClient.GetAsync($"/api/v1/sales/opportunities/{Guid.CreateVersion7()}/lines"), HttpStatusCode.NotFound);
        await ReadProblemAsync(
            await _repClient.PutAsync($"/api/v1/sales/opportunities/{opportunity.Id}/lines/{Guid.CreateVersion7()}", JsonBody(new { quantity = 1m, unitPrice = 1m })), HttpStatusCode.NotFound);
        var empty = await ReadAsync<OpportunityLinesResponse>(await _repClient.GetAsync($"/api/v1/sales/opportunities/{opportunity.Id}/lines"), HttpStatusCode.OK);

        Assert.Multiple(() =>
        {
            Assert.That(empty.Lines, Is.Empty);
            Assert.That(empty.Amount, Is.EqualTo(99m));
        });
    }
}
