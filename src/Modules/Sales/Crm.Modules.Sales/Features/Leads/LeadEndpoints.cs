using Crm.Modules.Identity.Contracts;
using Crm.Modules.Integration.Contracts;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Crm.Modules.Sales.Features.Leads;

/// <summary>Query string of <c>GET /api/v1/sales/leads</c>.</summary>
/// <param name="Limit">Page size, 1 to 500 (default 50).</param>
/// <param name="Cursor">The nextCursor of the previous page.</param>
/// <param name="Sort">createdAt or updatedAt; prefix - for descending (default -createdAt).</param>
/// <param name="IncludeTotal">Also count all matching leads.</param>
/// <param name="Q">Search company, person, phones and emails (2+ characters).</param>
/// <param name="Status">new, contacted, qualified, disqualified or converted.</param>
/// <param name="OwnerId">Only leads of this owner.</param>
/// <param name="Unassigned">Only unassigned leads (true) or only assigned ones (false).</param>
/// <param name="Source">Only this source.</param>
/// <param name="Province">Only this province.</param>
/// <param name="Industry">Only this industry.</param>
/// <param name="PartnerId">Only leads brought by this partner.</param>
/// <param name="CampaignId">Only leads of this campaign.</param>
/// <param name="CreatedFrom">Created at or after (ISO 8601).</param>
/// <param name="CreatedTo">Created before (ISO 8601).</param>
/// <param name="TeamId">
/// Only leads owned by the current members of this team and its sub-teams (unassigned leads have no team), within what
/// the caller sees; a team the caller may not report on is 404.
/// </param>
internal sealed record ListLeadsQuery(
    int? Limit,
    string? Cursor,
    string? Sort,
    bool? IncludeTotal,
    string? Q,
    string? Status,
    Guid? OwnerId,
    bool? Unassigned,
    string? Source,
    string? Province,
    string? Industry,
    Guid? PartnerId,
    Guid? CampaignId,
    DateTimeOffset? CreatedFrom,
    DateTimeOffset? CreatedTo,
    Guid? TeamId)
{
    public LeadFilter ToFilter() => new(
        Q, QueryEnum.Parse<LeadStatus>(Status, "status"), OwnerId, Unassigned, Source, Province, Industry, PartnerId, CampaignId, CreatedFrom, CreatedTo);
}

/// <summary>Query string of <c>GET /api/v1/sales/leads/export</c>: every filter of the list plus the file format.</summary>
/// <param name="Format">csv (default) or ndjson.</param>
/// <param name="Charset">CSV text encoding: utf-8 (default, with a BOM so Excel detects it) or gb18030.</param>
/// <param name="Q">Search company, person, phones and emails (2+ characters).</param>
/// <param name="Status">new, contacted, qualified, disqualified or converted.</param>
/// <param name="OwnerId">Only leads of this owner.</param>
/// <param name="Unassigned">Only unassigned leads (true) or only assigned ones (false).</param>
/// <param name="Source">Only this source.</param>
/// <param name="Province">Only this province.</param>
/// <param name="Industry">Only this industry.</param>
/// <param name="PartnerId">Only leads brought by this partner.</param>
/// <param name="CampaignId">Only leads of this campaign.</param>
/// <param name="CreatedFrom">Created at or after (ISO 8601).</param>
/// <param name="CreatedTo">Created before (ISO 8601).</param>
/// <param name="TeamId">Only leads owned by the current members of this team and its sub-teams; a team the caller may not report on is 404.</param>
internal sealed record ExportLeadsQuery(
    string? Format,
    string? Charset,
    string? Q,
    string? Status,
    Guid? OwnerId,
    bool? Unassigned,
    string? Source,
    string? Province,
    string? Industry,
    Guid? PartnerId,
    Guid? CampaignId,
    DateTimeOffset? CreatedFrom,
    DateTimeOffset? CreatedTo,
    Guid? TeamId)
{
    /// <summary>The list's filter, read by the list's own rules.</summary>
    public LeadFilter ToFilter() => new ListLeadsQuery(
        null, null, null, null, Q, Status, OwnerId, Unassigned, Source, Province, Industry, PartnerId, CampaignId, CreatedFrom, CreatedTo, TeamId).ToFilter();
}

/// <summary>Query string of <c>GET /api/v1/sales/leads/{leadId}/follow-ups</c>.</summary>
/// <param name="Limit">Page size, 1 to 500 (default 50).</param>
/// <param name="Cursor">The nextCursor of the previous page.</param>
/// <param name="Sort">occurredAt; prefix - for descending (default -occurredAt).</param>
/// <param name="IncludeTotal">Also count all matching follow-ups.</param>
/// <param name="Kind">note, call, email, visit or message.</param>
internal sealed record ListLeadFollowUpsQuery(int? Limit, string? Cursor, string? Sort, bool? IncludeTotal, string? Kind);

internal static class LeadEndpoints
{
    public static void MapLeadEndpoints(this IEndpointRouteBuilder api)
    {
        var leads = api.MapGroup("/sales/leads").WithTags("Leads");

        leads.MapGet("/", async Task<Ok<Page<LeadResponse>>> ([AsParameters] ListLeadsQuery query, IMediator mediator, CancellationToken ct) =>
            {
                var page = new PageRequest(query.Limit, query.Cursor, query.IncludeTotal ?? false);
                return TypedResults.Ok(await mediator.Send(new ListLeadsRequest(page, query.Sort, query.ToFilter(), query.TeamId), ct));
            })
            .RequirePermission(Permissions.SalesRead)
            .WithName("ListLeads")
            .WithSummary("List the leads the caller may see, unassigned ones included (keyset pages, filters, q search)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        leads.MapGet("/export", async Task ([AsParameters] ExportLeadsQuery query, LeadExport export, HttpResponse response, CancellationToken ct) =>
            {
                var (format, encoding) = ExportWriter.Parse(query.Format, query.Charset);
                var leads = await export.QueryAsync(query.ToFilter(), query.TeamId, ct);
                await using var writer = ExportWriter.Open(response, format, encoding, "leads", LeadExport.Columns, [Import.LeadImportSchema.Phones, Import.LeadImportSchema.Emails]);
                await export.WriteAsync(leads, writer, ct);
            })
            .RequirePermission(Permissions.SalesRead)
            .WithName("ExportLeads")
            .WithSummary("Export the leads the caller may see as CSV or NDJSON, streamed; accepts every list filter; re-imports unchanged through POST /api/v1/imports/leads")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv", additionalContentTypes: ["application/x-ndjson"])
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        leads.MapGet("/{id:guid}", async Task<Ok<LeadResponse>> (Guid id, IMediator mediator, HttpResponse response, CancellationToken ct) =>
                Versioned(response, await mediator.Send(new GetLeadRequest(id), ct)))
            .RequirePermission(Permissions.SalesRead)
            .ReturnsETag()
            .WithName("GetLead")
            .WithSummary("Get a lead")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        leads.MapPost("/", async Task<Created<LeadResponse>> (CreateLeadRequest request, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var created = await mediator.Send(request, ct);
                return response.CreatedWithETag($"/api/v1/sales/leads/{created.Lead.Id}", created.Lead, created.Version);
            })
            .RequirePermission(Permissions.SalesWrite)
            .ReturnsETag()
            .WithName("CreateLead")
            .WithSummary("Create a lead; without ownerId the assignment rules pick the owner (honours Idempotency-Key)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status422UnprocessableEntity);

        leads.MapPatch("/{id:guid}", async Task<Ok<LeadResponse>> (Guid id, UpdateLeadRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(request with { Id = id, IfMatch = IfMatch.From(http) }, ct)))
            .Accepts<UpdateLeadRequest>("application/merge-patch+json", "application/json")
            .RequirePermission(Permissions.SalesWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("UpdateLead")
            .WithSummary("Update a lead (JSON merge patch; honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity);

        leads.MapPost("/{id:guid}/qualify", async Task<Ok<LeadResponse>> (Guid id, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(new QualifyLeadRequest(id, IfMatch.From(http)), ct)))
            .RequirePermission(Permissions.SalesWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("QualifyLead")
            .WithSummary("Qualify a new or contacted lead (有效线索; honours If-Match and Idempotency-Key)")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed);

        leads.MapPost("/{id:guid}/disqualify", async Task<Ok<LeadResponse>> (Guid id, DisqualifyLeadRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(request with { Id = id, IfMatch = IfMatch.From(http) }, ct)))
            .RequirePermission(Permissions.SalesWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("DisqualifyLead")
            .WithSummary("Disqualify an open lead with a reason (无效线索; honours If-Match and Idempotency-Key)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed);

        leads.MapPost("/{id:guid}/assign", async Task<Ok<LeadResponse>> (Guid id, AssignLeadRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(request with { Id = id, IfMatch = IfMatch.From(http) }, ct)))
            .RequirePermission(Permissions.SalesWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("AssignLead")
            .WithSummary("Give an open lead to an owner: a rep may take it, managers assign within their team subtree (honours If-Match and Idempotency-Key)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity);

        leads.MapPost("/{id:guid}/convert", async Task<Ok<LeadConversionResponse>> (Guid id, ConvertLeadRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
            {
                var result = await mediator.Send(request with { Id = id, IfMatch = IfMatch.From(http) }, ct);
                return http.HttpContext.Response.OkWithETag(result.Conversion, result.Version);
            })
            .RequirePermission(Permissions.SalesWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("ConvertLead")
            .WithSummary("Convert an open lead into a new or existing customer, with an optional contact and opportunity (409 duplicate-customer with candidates unless confirmDuplicate; honours If-Match and Idempotency-Key)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity);

        leads.MapPost("/reassign", async Task<Ok<ReassignLeadsResponse>> (ReassignLeadsRequest request, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(request, ct)))
            .RequirePermission(Permissions.SalesManage)
            .WithName("ReassignLeads")
            .WithSummary("Reassign many open leads by ids or by filter in one set-based update (managers and administrators; honours Idempotency-Key)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status422UnprocessableEntity);

        var followUps = leads.MapGroup("/{leadId:guid}/follow-ups").WithTags("Leads");

        followUps.MapPost("/", async Task<Created<LeadFollowUpResponse>> (Guid leadId, CreateLeadFollowUpRequest request, IMediator mediator, CancellationToken ct) =>
            {
                var created = await mediator.Send(request with { LeadId = leadId }, ct);
                return TypedResults.Created($"/api/v1/sales/leads/{leadId}/follow-ups", created);
            })
            .RequirePermission(Permissions.SalesWrite)
            .WithName("CreateLeadFollowUp")
            .WithSummary("Log a follow-up of an open lead; a new lead becomes contacted (honours Idempotency-Key)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);

        followUps.MapGet("/", async Task<Ok<Page<LeadFollowUpResponse>>> (Guid leadId, [AsParameters] ListLeadFollowUpsQuery query, IMediator mediator, CancellationToken ct) =>
            {
                var page = new PageRequest(query.Limit, query.Cursor, query.IncludeTotal ?? false);
                var kind = QueryEnum.Parse<LeadFollowUpKind>(query.Kind, "kind");
                return TypedResults.Ok(await mediator.Send(new ListLeadFollowUpsRequest(leadId, page, query.Sort, kind), ct));
            })
            .RequirePermission(Permissions.SalesRead)
            .WithName("ListLeadFollowUps")
            .WithSummary("List a lead's follow-ups, newest first (keyset pages)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);
    }

    private static Ok<LeadResponse> Versioned(HttpResponse response, VersionedLead lead) => response.OkWithETag(lead.Lead, lead.Version);
}
