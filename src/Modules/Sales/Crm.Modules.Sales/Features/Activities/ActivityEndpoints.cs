using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Crm.Modules.Sales.Features.Activities;

/// <summary>Query string of <c>GET /api/v1/sales/activities</c>.</summary>
/// <param name="Limit">Page size, 1 to 500 (default 50).</param>
/// <param name="Cursor">The nextCursor of the previous page.</param>
/// <param name="Sort">startAt or createdAt; prefix - for descending (default startAt).</param>
/// <param name="IncludeTotal">Also count all matching activities.</param>
/// <param name="OwnerId">Only activities of this owner.</param>
/// <param name="AttendeeId">Only activities this user attends.</param>
/// <param name="Kind">call, meeting, visit, task or email.</param>
/// <param name="Status">planned, completed or cancelled.</param>
/// <param name="Quadrant">urgentImportant, important, urgent or neither.</param>
/// <param name="CustomerId">Only activities of this customer.</param>
/// <param name="OpportunityId">Only activities of this opportunity.</param>
/// <param name="From">Overlapping the range from this instant.</param>
/// <param name="To">Overlapping the range up to this instant (exclusive).</param>
/// <param name="Overdue">true: planned and past their end or due time; false: the others.</param>
internal sealed record ListActivitiesQuery(
    int? Limit,
    string? Cursor,
    string? Sort,
    bool? IncludeTotal,
    Guid? OwnerId,
    Guid? AttendeeId,
    string? Kind,
    string? Status,
    string? Quadrant,
    Guid? CustomerId,
    Guid? OpportunityId,
    DateTimeOffset? From,
    DateTimeOffset? To,
    bool? Overdue)
{
    public ActivityFilter ToFilter() => new(
        OwnerId, AttendeeId, QueryEnum.Parse<ActivityKind>(Kind, "kind"), QueryEnum.Parse<ActivityStatus>(Status, "status"),
        QueryEnum.Parse<ActivityQuadrant>(Quadrant, "quadrant"), CustomerId, OpportunityId, From, To, Overdue);
}

/// <summary>Query string of <c>GET /api/v1/calendar</c>.</summary>
/// <param name="UserId">Whose schedule (default: the caller); a user the caller's scope covers.</param>
/// <param name="TeamId">A team's schedule instead (the team and its sub-teams); a team the caller may report on.</param>
/// <param name="From">Start of the range (required).</param>
/// <param name="To">End of the range, exclusive (required, at most 62 days after from).</param>
internal sealed record CalendarQuery(Guid? UserId, Guid? TeamId, DateTimeOffset? From, DateTimeOffset? To);

internal static class ActivityEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var activities = api.MapGroup("/sales/activities").WithTags("Activities");

        activities.MapGet("/", async Task<Ok<Page<ActivityResponse>>> ([AsParameters] ListActivitiesQuery query, IMediator mediator, CancellationToken ct) =>
            {
                var page = new PageRequest(query.Limit, query.Cursor, query.IncludeTotal ?? false);
                return TypedResults.Ok(await mediator.Send(new ListActivitiesRequest(page, query.Sort, query.ToFilter()), ct));
            })
            .RequirePermission(Permissions.SalesRead)
            .WithName("ListActivities")
            .WithSummary("List the activities the caller owns, attends or may see (keyset pages, filters)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);

        activities.MapGet("/reminders", async Task<Ok<IReadOnlyList<ActivityReminderResponse>>> (DateTimeOffset? until, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListActivityRemindersRequest(until ?? throw ValidationFailedException.For("until", "until is required.")), ct)))
            .RequirePermission(Permissions.SalesRead)
            .WithName("ListActivityReminders")
            .WithSummary("The caller's reminders due by until, for planned activities that have not started")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);

        activities.MapGet("/{id:guid}", async Task<Ok<ActivityResponse>> (Guid id, IMediator mediator, HttpResponse response, CancellationToken ct) =>
                Versioned(response, await mediator.Send(new GetActivityRequest(id), ct)))
            .RequirePermission(Permissions.SalesRead)
            .ReturnsETag()
            .WithName("GetActivity")
            .WithSummary("Get an activity")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        activities.MapPost("/", async Task<Created<ActivityResponse>> (CreateActivityRequest request, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var created = await mediator.Send(request, ct);
                return response.CreatedWithETag($"/api/v1/sales/activities/{created.Activity.Id}", created.Activity, created.Version);
            })
            .RequirePermission(Permissions.SalesWrite)
            .ReturnsETag()
            .WithName("CreateActivity")
            .WithSummary("Schedule an activity; calls, visits and emails with a contact pass the consent check (honours Idempotency-Key)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status422UnprocessableEntity);

        activities.MapPatch("/{id:guid}", async Task<Ok<ActivityResponse>> (Guid id, UpdateActivityRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(request with { Id = id, IfMatch = IfMatch.From(http) }, ct)))
            .Accepts<UpdateActivityRequest>("application/merge-patch+json", "application/json")
            .RequirePermission(Permissions.SalesWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("UpdateActivity")
            .WithSummary("Update or reschedule a planned activity (JSON merge patch; honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict,
                StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity);

        activities.MapPost("/{id:guid}/complete", async Task<Ok<ActivityResponse>> (Guid id, ActivityActionRequest? request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(new CompleteActivityRequest(id, request?.Outcome, IfMatch.From(http)), ct)))
            .RequirePermission(Permissions.SalesWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("CompleteActivity")
            .WithSummary("Complete a planned activity with its outcome (honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed);

        activities.MapPost("/{id:guid}/cancel", async Task<Ok<ActivityResponse>> (Guid id, ActivityActionRequest? request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(new CancelActivityRequest(id, request?.Outcome, IfMatch.From(http)), ct)))
            .RequirePermission(Permissions.SalesWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("CancelActivity")
            .WithSummary("Cancel a planned activity (honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed);

        api.MapGet("/calendar", async Task<Ok<CalendarResponse>> ([AsParameters] CalendarQuery query, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetCalendarRequest(query.UserId, query.TeamId, query.From, query.To), ct)))
            .WithTags("Calendar")
            .RequirePermission(Permissions.SalesRead)
            .WithName("GetCalendar")
            .WithSummary("A user's or a team's schedule: activities they own or attend overlapping [from, to), by start time")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);
    }

    private static Ok<ActivityResponse> Versioned(HttpResponse response, VersionedActivity activity) => response.OkWithETag(activity.Activity, activity.Version);
}
