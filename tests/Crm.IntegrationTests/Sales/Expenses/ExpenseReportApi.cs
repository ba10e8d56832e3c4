using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Crm.Modules.Sales.Features.Expenses;
using NUnit.Framework;

namespace Crm.IntegrationTests.Sales.Expenses;

internal static class ExpenseReportApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    internal sealed record ExpenseReportPage(List<ExpenseReportSummaryResponse> Items, string? NextCursor, long? Total);

    public static async Task<(ExpenseReportResponse Report, string ETag)> CreateReportAsync(HttpClient client, object body)
    {
        var response = await client.PostAsJsonAsync("/api/v1/sales/expense-reports", body, Json);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), text);
        return (JsonSerializer.Deserialize<ExpenseReportResponse>(text, Json)!, response.Headers.ETag!.ToString());
    }

    public static object Line(decimal amount, string category = "travel", DateOnly? date = null, object? extra = null) =>
        Activities.ActivityApi.Merge(new { date = date ?? new DateOnly(2026, 11, 20), category, amount }, extra);

    /// <summary>POST a decision (submit, approve, reject, pay) with the given ETag.</summary>
    public static Task<HttpResponseMessage> DecideAsync(HttpClient client, Guid id, string action, string? etag, string? comment = null) =>
        Activities.ActivityApi.SendJsonAsync(client, HttpMethod.Post, $"/api/v1/sales/expense-reports/{id}/{action}", comment is null ? null : new { comment }, etag);

    public static async Task<string> ETagOfAsync(HttpClient client, Guid id)
    {
        var response = await client.GetAsync($"/api/v1/sales/expense-reports/{id}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return response.Headers.ETag!.ToString();
    }
}
