using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.IntegrationTests.Sales.Funnel;

/// <summary>Request and data helpers of the funnel, quota, forecast and performance tests.</summary>
internal static class FunnelApi
{
    public const string Quotas = "/api/v1/sales/quotas";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static HttpRequestMessage Patch(string path, string json, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, path) { Content = new StringContent(json, Encoding.UTF8, "application/merge-patch+json") };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return request;
    }

    public static HttpRequestMessage Delete(string path, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Delete, path);
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return request;
    }

    public static HttpRequestMessage Post(string path, object body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: Json) };
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        return request;
    }

    /// <summary>Inserts quotas straight through the DbContext (the reports' tests are about the reports, not the quota API).</summary>
    public static async Task AddQuotaAsync(CrmApiFactory factory, QuotaSubjectKind kind, Guid subject, string period, decimal amount, int newCustomers = 0, string currency = "CNY")
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SalesDbContext>();
        Assert.That(SalesPeriod.TryParse(period, out var parsed), Is.True, period);
        db.SalesQuotas.Add(SalesQuota.Create(kind, subject, parsed, amount, currency, newCustomers, factory.Time.GetUtcNow()));
        await db.SaveChangesAsync();
    }

    /// <summary>
    /// Inserts one opportunity of <paramref name="owner"/> created at <paramref name="createdAt"/> in the first stage of the
    /// default pipeline, then moved to <paramref name="stageCode"/> (won or lost at <paramref name="closedAt"/>, when closing).
    /// </summary>
    public static async Task<Guid> AddOpportunityAsync(
        CrmApiFactory factory,
        Guid? owner,
        string stageCode,
        decimal amount,
        DateOnly? expectedClose = null,
        DateTimeOffset? closedAt = null,
        Guid? customerId = null,
        int? probability = null,
        string currency = "CNY",
        DateTimeOffset? createdAt = null)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SalesDbContext>();
        var stages = await db.PipelineStages.Where(s => s.PipelineId == Pipeline.DefaultId).OrderBy(s => s.Position).ToListAsync();
        var created = createdAt ?? (closedAt ?? factory.Time.GetUtcNow()).AddDays(-30);
        var opportunity = Opportunity.Create($"{stageCode} {amount}", customerId ?? Guid.CreateVersion7(), null, null, stages[0], amount, currency, expectedClose, owner, null, created);
        db.Opportunities.Add(opportunity);
        var target = stages.Single(s => s.Code == stageCode);
        if (target.Position > 1)
        {
            db.OpportunityStageChanges.Add(opportunity.MoveTo(target, owner, closedAt ?? created.AddDays(1))!);
        }

        if (probability is { } p)
        {
            opportunity.OverrideProbability(p, created.AddDays(1));
        }

        await db.SaveChangesAsync();
        return opportunity.Id;
    }
}
