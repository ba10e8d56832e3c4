using System.Linq.Expressions;
using System.Text.Json;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Paging;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Customers.Features.Timeline;

/// <summary>One entry of a customer's 360° timeline.</summary>
/// <param name="Id">Entry id.</param>
/// <param name="CustomerId">The customer.</param>
/// <param name="OccurredAt">When it happened.</param>
/// <param name="Kind">created, ownership, status, stage, keyAccount, credit, balance, followUp, merge, or a kind another module brings (order, case, call, ...).</param>
/// <param name="SourceModule">The module that published it (customers, sales, service, ...).</param>
/// <param name="Summary">One line for people.</param>
/// <param name="Data">The details the source event carried.</param>
/// <param name="SourceEventId">The integration event it was recorded from.</param>
internal sealed record TimelineEntryResponse(Guid Id, Guid CustomerId, DateTimeOffset OccurredAt, string Kind, string SourceModule, string Summary, JsonElement Data, Guid SourceEventId);

/// <summary>One page of a customer's timeline, newest first unless <c>sort=occurredAt</c>.</summary>
internal sealed record ListTimelineRequest(Guid CustomerId, PageRequest Page, string? Sort, string? Kind, DateTimeOffset? From, DateTimeOffset? To) : IRequest<Page<TimelineEntryResponse>>;

internal static class TimelineProjection
{
    public static readonly Expression<Func<TimelineEntry, TimelineEntryResponse>> ToResponse = e =>
        new TimelineEntryResponse(e.Id, e.CustomerId, e.OccurredAt, e.Kind, e.SourceModule, e.Summary, e.Data, e.SourceEventId);

    public static readonly SortDefinition<TimelineEntry, TimelineEntryResponse> Sort = new SortDefinition<TimelineEntry, TimelineEntryResponse>(e => e.Id, e => e.Id, "-occurredAt")
        .Add("occurredAt", e => e.OccurredAt, e => e.OccurredAt);
}

internal sealed class ListTimelineHandler(CustomersDbContext db, IAccessScopeProvider access) : IRequestHandler<ListTimelineRequest, Page<TimelineEntryResponse>>
{
    public async Task<Page<TimelineEntryResponse>> Handle(ListTimelineRequest request, CancellationToken cancellationToken)
    {
        var order = TimelineProjection.Sort.Parse(request.Sort);
        if (request.Kind is { Length: > TimelineEntry.MaxKindLength })
        {
            throw ValidationFailedException.For("kind", $"kind is at most {TimelineEntry.MaxKindLength} characters.");
        }

        if (request is { From: { } from, To: { } to } && to <= from)
        {
            throw ValidationFailedException.For("to", "to must be after from.");
        }

        // Exactly who may read the customer (pool customers included) may read its timeline.
        await CustomerAccess.FindVisibleReadOnlyAsync(db, access, request.CustomerId, cancellationToken, includePool: true);
        var entries = db.TimelineEntries.AsNoTracking().Where(e => e.CustomerId == request.CustomerId);
        if (!string.IsNullOrEmpty(request.Kind))
        {
            entries = entries.Where(e => e.Kind == request.Kind);
        }

        if (request.From is { } start)
        {
            var utc = start.ToUniversalTime();
            entries = entries.Where(e => e.OccurredAt >= utc);
        }

        if (request.To is { } end)
        {
            var utc = end.ToUniversalTime();
            entries = entries.Where(e => e.OccurredAt < utc);
        }

        return await entries.ToPageAsync(TimelineProjection.ToResponse, order, request.Page, cancellationToken);
    }
}
