using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Crm.Modules.Sales.Features.Quotes;

/// <summary>Query string of <c>GET /api/v1/sales/quotes</c>.</summary>
/// <param name="Limit">Page size, 1 to 500 (default 50).</param>
/// <param name="Cursor">The nextCursor of the previous page.</param>
/// <param name="Sort">createdAt, validUntil or total; prefix - for descending (default -createdAt).</param>
/// <param name="IncludeTotal">Also count all matching quotes.</param>
/// <param name="CustomerId">Only this customer's quotes.</param>
/// <param name="OpportunityId">Only this opportunity's quotes.</param>
/// <param name="OwnerId">Only this owner's quotes.</param>
/// <param name="Status">draft, pendingApproval, approved, sent, accepted, rejected or expired.</param>
/// <param name="IncludeSuperseded">Also list revisions replaced by a newer one (default false).</param>
internal sealed record ListQuotesQuery(
    int? Limit, string? Cursor, string? Sort, bool? IncludeTotal, Guid? CustomerId, Guid? OpportunityId, Guid? OwnerId, string? Status, bool? IncludeSuperseded);

/// <summary>Query string of <c>GET /api/v1/sales/approvals</c>.</summary>
/// <param name="Limit">Page size, 1 to 500 (default 50).</param>
/// <param name="Cursor">The nextCursor of the previous page.</param>
/// <param name="Sort">requestedAt (default, oldest first) or -requestedAt.</param>
/// <param name="IncludeTotal">Also count all matching requests.</param>
/// <param name="Status">pending, approved, rejected or withdrawn.</param>
/// <param name="QuoteId">Only the requests of this quote revision.</param>
/// <param name="OwnerId">Only the requests for this owner's quotes.</param>
internal sealed record ListQuoteApprovalsQuery(int? Limit, string? Cursor, string? Sort, bool? IncludeTotal, string? Status, Guid? QuoteId, Guid? OwnerId);

/// <summary>Body of <c>POST /api/v1/sales/quotes/{id}/reject</c>.</summary>
/// <param name="Reason">Why the customer rejected it (at most 500 characters).</param>
internal sealed record RejectQuoteBody(string? Reason = null);

internal static class QuoteEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var quotes = api.MapGroup("/sales/quotes").WithTags("Quotes");

        quotes.MapGet("/", async Task<Ok<Page<QuoteSummaryResponse>>> ([AsParameters] ListQuotesQuery query, IMediator mediator, CancellationToken ct) =>
            {
                var page = new PageRequest(query.Limit, query.Cursor, query.IncludeTotal ?? false);
                var filter = new QuoteFilter(query.CustomerId, query.OpportunityId, query.OwnerId, QueryEnum.Parse<QuoteStatus>(query.Status, "status"),
                    query.IncludeSuperseded ?? false);
                return TypedResults.Ok(await mediator.Send(new ListQuotesRequest(page, query.Sort, filter), ct));
            })
            .RequirePermission(Permissions.SalesRead)
            .WithName("ListQuotes")
            .WithSummary("List the quotes the caller may see (keyset pages; latest revisions unless includeSuperseded; filters customer, opportunity, owner, status)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);

        quotes.MapGet("/{id:guid}", async Task<Ok<QuoteResponse>> (Guid id, IMediator mediator, HttpResponse response, CancellationToken ct) =>
                Versioned(response, await mediator.Send(new GetQuoteRequest(id), ct)))
            .RequirePermission(Permissions.SalesRead)
            .ReturnsETag()
            .WithName("GetQuote")
            .WithSummary("Get a quote revision with its lines and totals")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        quotes.MapPost("/", async Task<Created<QuoteResponse>> (CreateQuoteRequest request, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var created = await mediator.Send(request, ct);
                return response.CreatedWithETag($"/api/v1/sales/quotes/{created.Quote.Id}", created.Quote, created.Version);
            })
            .RequirePermission(Permissions.SalesWrite)
            .ReturnsETag()
            .WithName("CreateQuote")
            .WithSummary("Create a quote for a customer or an opportunity; unit prices default from price resolution (honours Idempotency-Key)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status422UnprocessableEntity);

        quotes.MapPatch("/{id:guid}", async Task<Ok<QuoteResponse>> (Guid id, UpdateQuoteRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(request with { Id = id, IfMatch = IfMatch.From(http) }, ct)))
            .Accepts<UpdateQuoteRequest>("application/merge-patch+json", "application/json")
            .RequirePermission(Permissions.SalesWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("UpdateQuote")
            .WithSummary("Change a draft, pending or approved quote (JSON merge patch; lines replace all lines; honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict,
                StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity);

        MapAction(quotes, "send", QuoteAction.Send, "SendQuote", "Send a draft or approved quote (409 while its discount awaits approval or once expired)");
        MapAction(quotes, "accept", QuoteAction.Accept, "AcceptQuote", "Record that the customer accepted a sent quote");

        quotes.MapPost("/{id:guid}/reject", async Task<Ok<QuoteResponse>> (Guid id, RejectQuoteBody? body, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(new QuoteActionRequest(id, QuoteAction.Reject, body?.Reason, IfMatch.From(http)), ct)))
            .RequirePermission(Permissions.SalesWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("RejectQuote")
            .WithSummary("Record that the customer rejected a sent quote, with an optional reason (honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict,
                StatusCodes.Status412PreconditionFailed);

        quotes.MapPost("/{id:guid}/revise", async Task<Created<QuoteResponse>> (Guid id, ReviseQuoteRequest? request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
            {
                var created = await mediator.Send((request ?? new ReviseQuoteRequest()) with { Id = id, IfMatch = IfMatch.From(http) }, ct);
                return http.HttpContext.Response.CreatedWithETag($"/api/v1/sales/quotes/{created.Quote.Id}", created.Quote, created.Version);
            })
            .RequirePermission(Permissions.SalesWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("ReviseQuote")
            .WithSummary("Create the next revision (same number, v+1, same lines); the revised one becomes read-only (honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict,
                StatusCodes.Status412PreconditionFailed);

        quotes.MapGet("/{id:guid}/revisions", async Task<Ok<IReadOnlyList<QuoteSummaryResponse>>> (Guid id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListQuoteRevisionsRequest(id), ct)))
            .RequirePermission(Permissions.SalesRead)
            .WithName("ListQuoteRevisions")
            .WithSummary("All revisions of the quote's number, oldest first")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        quotes.MapGet("/{id:guid}/approvals", async Task<Ok<IReadOnlyList<QuoteApprovalResponse>>> (Guid id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListQuoteApprovalHistoryRequest(id), ct)))
            .RequirePermission(Permissions.SalesRead)
            .WithName("ListQuoteApprovalHistory")
            .WithSummary("The discount approval requests of a quote revision and their decisions, oldest first")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        quotes.MapGet("/{id:guid}/print", async Task<ContentHttpResult> (Guid id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Text(await mediator.Send(new PrintQuoteRequest(id), ct), "text/html; charset=utf-8"))
            .RequirePermission(Permissions.SalesRead)
            .WithName("PrintQuote")
            .WithSummary("A printable HTML page of the quote revision (every value HTML-encoded)")
            .Produces(StatusCodes.Status200OK, contentType: "text/html")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        MapApprovals(api);
        MapSettings(api);
    }

    private static void MapAction(RouteGroupBuilder quotes, string path, QuoteAction action, string name, string summary) =>
        quotes.MapPost($"/{{id:guid}}/{path}", async Task<Ok<QuoteResponse>> (Guid id, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(new QuoteActionRequest(id, action, null, IfMatch.From(http)), ct)))
            .RequirePermission(Permissions.SalesWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName(name)
            .WithSummary(summary + " (honours If-Match)")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed);

    private static void MapApprovals(IEndpointRouteBuilder api)
    {
        var approvals = api.MapGroup("/sales/approvals").WithTags("Quotes");

        approvals.MapGet("/", async Task<Ok<Page<QuoteApprovalResponse>>> ([AsParameters] ListQuoteApprovalsQuery query, IMediator mediator, CancellationToken ct) =>
            {
                var page = new PageRequest(query.Limit, query.Cursor, query.IncludeTotal ?? false);
                var status = QueryEnum.Parse<QuoteApprovalStatus>(query.Status, "status");
                return TypedResults.Ok(await mediator.Send(new ListQuoteApprovalsRequest(page, query.Sort, status, query.QuoteId, query.OwnerId), ct));
            })
            .RequirePermission(Permissions.SalesManage)
            .WithName("ListQuoteApprovals")
            .WithSummary("Discount approval requests for quotes of owners in the caller's scope (keyset pages, oldest first; filter status=pending)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);

        approvals.MapGet("/{id:guid}", async Task<Ok<QuoteApprovalResponse>> (Guid id, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var approval = await mediator.Send(new GetQuoteApprovalRequest(id), ct);
                return response.OkWithETag(approval.Approval, approval.Version);
            })
            .RequirePermission(Permissions.SalesManage)
            .ReturnsETag()
            .WithName("GetQuoteApproval")
            .WithSummary("Get a discount approval request")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        MapDecision(approvals, "approve", approve: true, "ApproveQuoteDiscount", "Approve a pending discount: the quote becomes approved and may be sent");
        MapDecision(approvals, "reject", approve: false, "RejectQuoteDiscount", "Reject a pending discount with a comment: the quote goes back to draft");
    }

    private static void MapDecision(RouteGroupBuilder approvals, string path, bool approve, string name, string summary) =>
        approvals.MapPost($"/{{id:guid}}/{path}", async Task<Ok<QuoteApprovalResponse>> (Guid id, DecideQuoteApprovalBody? body, IMediator mediator, HttpRequest http, CancellationToken ct) =>
            {
                var decided = await mediator.Send(new DecideQuoteApprovalRequest(id, approve, body?.Comment, IfMatch.From(http)), ct);
                return http.HttpContext.Response.OkWithETag(decided.Approval, decided.Version);
            })
            .RequirePermission(Permissions.SalesManage)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName(name)
            .WithSummary(summary + " (not on your own quote; honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict,
                StatusCodes.Status412PreconditionFailed);

    private static void MapSettings(IEndpointRouteBuilder api)
    {
        var settings = api.MapGroup("/sales/quote-settings").WithTags("Quotes");

        settings.MapGet("/", async Task<Ok<QuoteSettingsResponse>> (IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var current = await mediator.Send(new GetQuoteSettingsRequest(), ct);
                return response.OkWithETag(current.Settings, current.Version);
            })
            .RequirePermission(Permissions.SalesRead)
            .ReturnsETag()
            .WithName("GetQuoteSettings")
            .WithSummary("The discount approval threshold (default 10%)")
            .ProducesProblems(StatusCodes.Status403Forbidden);

        settings.MapPut("/", async Task<Ok<QuoteSettingsResponse>> (UpdateQuoteSettingsRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
            {
                var updated = await mediator.Send(request with { IfMatch = IfMatch.From(http) }, ct);
                return http.HttpContext.Response.OkWithETag(updated.Settings, updated.Version);
            })
            .RequirePermission(Permissions.SalesManage)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("UpdateQuoteSettings")
            .WithSummary("Set the discount approval threshold; it applies when quote lines are next saved (honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed);
    }

    private static Ok<QuoteResponse> Versioned(HttpResponse response, VersionedQuote quote) => response.OkWithETag(quote.Quote, quote.Version);
}
