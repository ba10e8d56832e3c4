using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Activities;

/// <summary>One user's schedule.</summary>
/// <param name="UserId">Whose schedule.</param>
/// <param name="From">Start of the range (inclusive).</param>
/// <param name="To">End of the range (exclusive).</param>
/// <param name="Items">Planned and completed activities the user owns or attends that overlap the range, by start time.</param>
internal sealed record CalendarResponse(Guid UserId, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<ActivityResponse> Items);

internal sealed record GetCalendarRequest(Guid? UserId, DateTimeOffset? From, DateTimeOffset? To) : IRequest<CalendarResponse>;

internal sealed class GetCalendarHandler(SalesDbContext db, IAccessScopeProvider access, IUserDirectory users, ICurrentActor actor)
    : IRequestHandler<GetCalendarRequest, CalendarResponse>
{
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(62);

    /// <summary>A range of 62 days holds far fewer; the cap only protects the server from a runaway calendar.</summary>
    public const int MaxItems = 2000;

    public async Task<CalendarResponse> Handle(GetCalendarRequest request, CancellationToken cancellationToken)
    {
        var errors = new List<(string, string)>();
        if (request.From is null)
        {
            errors.Add(("from", "from is required."));
        }

        if (request.To is null)
        {
            errors.Add(("to", "to is required."));
        }
        else if (request.From is { } f && (request.To <= f || request.To - f > MaxRange))
        {
            errors.Add(("to", "to must be after from, at most 62 days later."));
        }

        var userId = request.UserId ?? actor.Id;
        if (userId is null)
        {
            errors.Add(("userId", "userId is required for API keys."));
        }

        if (errors.Count > 0)
        {
            throw ValidationFailedException.From(errors);
        }

        var scope = await access.GetAsync(cancellationToken);
        var user = userId!.Value;
        if (!scope.CanSee(user) || await users.FindByIdAsync(user, cancellationToken) is null)
        {
            throw new NotFoundException("User", user);
        }

        var items = await db.Activities.AsNoTracking()
            .Where(a => a.OwnerId == user || a.AttendeeIds.Contains(user))
            .Where(a => a.Status != ActivityStatus.Cancelled)
            .Overlapping(request.From, request.To)
            .OrderBy(a => a.StartAt).ThenBy(a => a.Id)
            .Take(MaxItems)
            .Select(ActivityProjection.ToResponse)
            .ToListAsync(cancellationToken);
        return new CalendarResponse(user, request.From!.Value, request.To!.Value, items);
    }
}
