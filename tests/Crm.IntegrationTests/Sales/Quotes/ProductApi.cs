using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Crm.Modules.Sales.Features.Products;

namespace Crm.IntegrationTests.Sales.Quotes;

/// <summary>Calls of the product catalogue endpoints shared by the quote-to-cash tests.</summary>
internal static class ProductApi
{
    public const string Products = "/api/v1/sales/products";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static async Task<(ProductResponse Product, string ETag)> CreateProductAsync(HttpClient client, object body)
    {
        var response = await client.PostAsJsonAsync(Products, body, Json);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), text);
        return (JsonSerializer.Deserialize<ProductResponse>(text, Json)!, response.Headers.ETag!.ToString());
    }

    public static Task<(ProductResponse Product, string ETag)> CreateProductAsync(HttpClient client, string sku, string name, decimal listPrice, string? category = null) =>
        CreateProductAsync(client, new { sku, name, unit = "套", listPrice, category });
}
