using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Crm.IntegrationTests.Customers;
using Crm.IntegrationTests.Sales.Quotes;
using Crm.Modules.Sales.Features.Orders;
using Crm.Modules.Sales.Features.Quotes;

namespace Crm.IntegrationTests.Sales.Orders;

/// <summary>Request helpers of the order tests (the org, products and quotes come from the quote helpers).</summary>
internal static class OrderApi
{
    public const string OrdersUrl = "/api/v1/sales/orders";

    public static JsonSerializerOptions Json => CustomerApi.Json;

    public static async Task<Guid> ProductAsync(HttpClient manager, string sku, decimal listPrice) =>
        (await ProductApi.CreateProductAsync(manager, sku, "产品 " + sku, listPrice)).Product.Id;

    public static async Task<Guid> CustomerAsync(HttpClient owner, string name, decimal? creditLimit = null) =>
        (await CustomerApi.CreateAsync(owner, new { kind = "organization", name, creditLimit })).Customer.Id;

    public static async Task<(OrderResponse Order, string ETag)> CreateAsync(HttpClient client, object body)
    {
        var response = await client.PostAsync(OrdersUrl, JsonContent.Create(body, options: Json));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), text);
        return (JsonSerializer.Deserialize<OrderResponse>(text, Json)!, response.Headers.ETag!.ToString());
    }

    /// <summary>A draft order of <paramref name="quantity"/> × the product at its resolved price, 13% VAT.</summary>
    public static Task<(OrderResponse Order, string ETag)> CreateAsync(HttpClient client, Guid customerId, Guid productId, decimal quantity = 1m) =>
        CreateAsync(client, new { customerId, lines = new[] { new { productId, quantity } } });

    public static async Task<(OrderResponse Order, string ETag)> GetAsync(HttpClient client, Guid id)
    {
        var response = await client.GetAsync($"{OrdersUrl}/{id}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return (JsonSerializer.Deserialize<OrderResponse>(text, Json)!, response.Headers.ETag!.ToString());
    }

    public static Task<HttpResponseMessage> ActAsync(HttpClient client, Guid id, string action, object? body = null, string? ifMatch = null) =>
        client.SendAsync(QuoteApi.Post($"{OrdersUrl}/{id}/{action}", body, ifMatch));

    public static async Task<OrderResponse> ActOkAsync(HttpClient client, Guid id, string action, object? body = null)
    {
        var response = await ActAsync(client, id, action, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonSerializer.Deserialize<OrderResponse>(text, Json)!;
    }

    public static HttpRequestMessage Patch(Guid id, object body, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, $"{OrdersUrl}/{id}")
        {
            Content = new StringContent(JsonSerializer.Serialize(body, Json), Encoding.UTF8, "application/merge-patch+json"),
        };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return request;
    }

    public static HttpRequestMessage Put(string externalId, object body, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"{OrdersUrl}/by-external-id/{Uri.EscapeDataString(externalId)}")
        {
            Content = JsonContent.Create(body, options: Json),
        };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return request;
    }

    /// <summary>An accepted quote of one line (sent, then accepted on the customer's behalf).</summary>
    public static async Task<QuoteResponse> AcceptedQuoteAsync(HttpClient client, Guid customerId, Guid productId, decimal quantity)
    {
        var (quote, _) = await QuoteApi.CreateAsync(client, customerId, productId, quantity: quantity);
        Assert.That((await client.SendAsync(QuoteApi.Post($"{QuoteApi.QuotesUrl}/{quote.Id}/send"))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var accepted = await client.SendAsync(QuoteApi.Post($"{QuoteApi.QuotesUrl}/{quote.Id}/accept"));
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.OK), await accepted.Content.ReadAsStringAsync());
        return (await QuoteApi.GetAsync(client, quote.Id)).Quote;
    }

    /// <summary>Sets what the customer owes, as signed contracts would (the Customers module keeps this figure).</summary>
    public static Task SetOutstandingBalanceAsync(Guid customerId, decimal balance) =>
        QuoteApi.ExecuteAsync(FormattableString.Invariant($"UPDATE customers.customers SET outstanding_balance = {balance} WHERE id = '{customerId}'"));
}
