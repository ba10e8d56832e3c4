using System.Text.Json;
using Crm.Modules.Customers.Contracts;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.Privacy;
using Crm.SharedKernel.Outbox;
using Crm.SharedKernel.Time;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Customers.Features.Timeline;

/// <summary>
/// Projects timeline events into <c>customers.timeline_entries</c>: one set-based INSERT for a whole batch of events
/// and all the customers each names (a bulk transfer of 2,000 customers, or the CustomerCreated events of an import
/// chunk, is one statement), skipping ids that are not customers, putting an entry about a merged customer on its
/// survivor's timeline, and ON CONFLICT DO NOTHING on (source event, customer) so a redelivered event adds nothing.
/// </summary>
internal sealed class CustomerTimelineWriter(CustomersDbContext db, TimeProvider time) : ICustomerTimelineWriter
{
    public async Task AppendAsync(IReadOnlyList<ICustomerTimelineEvent> integrationEvents, CancellationToken ct)
    {
        var rows = integrationEvents.SelectMany(Entries).ToList();
        if (rows.Count == 0)
        {
            return;
        }

        var entryIds = rows.Select(r => r.Id).ToArray();
        var customerIds = rows.Select(r => r.CustomerId).ToArray();
        var at = rows.Select(r => r.At).ToArray();
        var kinds = rows.Select(r => r.Kind).ToArray();
        var sources = rows.Select(r => r.Source).ToArray();
        var summaries = rows.Select(r => r.Summary).ToArray();
        var data = rows.Select(r => r.Data).ToArray();
        var eventIds = rows.Select(r => r.EventId).ToArray();
        var types = rows.Select(r => r.Type).ToArray();
        var now = time.UtcNow();

        // An event about an erased individual customer lands without its words: erase scrubs this module's outbox, but
        // another module's event published before the erase and delivered after it may still quote the person.
        const string erased = ErasePersonalDataHandler.ErasedText;
        var erasedSubject = nameof(ErasureSubject.Customer);
        const string noData = "{}";
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO customers.timeline_entries (id, customer_id, occurred_at, kind, source_module, summary, data, source_event_id, source_event_type, recorded_at)
            SELECT u.id, COALESCE(c.merged_into_id, c.id), u.occurred_at, u.kind, u.source_module,
                   CASE WHEN e.id IS NULL THEN u.summary ELSE {erased} END,
                   CAST(CASE WHEN e.id IS NULL THEN u.data ELSE {noData} END AS jsonb),
                   u.source_event_id, u.source_event_type, {now}
            FROM unnest({entryIds}, {customerIds}, {at}, {kinds}, {sources}, {summaries}, {data}, {eventIds}, {types})
                 AS u(id, customer_id, occurred_at, kind, source_module, summary, data, source_event_id, source_event_type)
            JOIN customers.customers c ON c.id = u.customer_id
            LEFT JOIN customers.personal_data_erasures e ON e.subject_type = {erasedSubject} AND e.subject_id = COALESCE(c.merged_into_id, c.id)
            ON CONFLICT (source_event_id, customer_id) DO NOTHING
            """,
            ct);
    }

    /// <summary>One entry per distinct customer the event names.</summary>
    private static IEnumerable<TimelineRow> Entries(ICustomerTimelineEvent integrationEvent)
    {
        var kind = integrationEvent.TimelineKind;
        if (string.IsNullOrWhiteSpace(kind) || kind.Length > TimelineEntry.MaxKindLength)
        {
            throw new ArgumentException($"The timeline kind of {integrationEvent.GetType().Name} must be 1 to {TimelineEntry.MaxKindLength} characters.", nameof(integrationEvent));
        }

        var customerIds = integrationEvent.TimelineCustomerIds.Distinct().ToArray();
        if (customerIds.Length == 0)
        {
            yield break;
        }

        var at = integrationEvent.TimelineAt.ToUniversalTime();
        var summary = integrationEvent.TimelineSummary is { Length: > TimelineEntry.MaxSummaryLength } longer
            ? longer[..(TimelineEntry.MaxSummaryLength - 1)] + "…"
            : integrationEvent.TimelineSummary;
        var data = JsonSerializer.Serialize(integrationEvent.TimelineData, IntegrationEventSerializer.Options);
        var source = SourceModule(integrationEvent.GetType());
        var type = integrationEvent.GetType().FullName!;
        foreach (var customerId in customerIds)
        {
            yield return new TimelineRow(Guid.CreateVersion7(at), customerId, at, kind, source, summary, data, integrationEvent.EventId, type);
        }
    }

    private sealed record TimelineRow(Guid Id, Guid CustomerId, DateTimeOffset At, string Kind, string Source, string Summary, string Data, Guid EventId, string Type);

    /// <summary><c>Crm.Modules.Sales.Contracts</c> is <c>sales</c>; elsewhere the last namespace segment.</summary>
    internal static string SourceModule(Type eventType)
    {
        var parts = (eventType.Namespace ?? eventType.Assembly.GetName().Name ?? "unknown").Split('.');
        var name = parts is ["Crm", "Modules", var module, ..] ? module : parts[^1];
        return JsonNamingPolicy.CamelCase.ConvertName(name);
    }
}
