using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Crm.Modules.Customers.Features.Contacts;

/// <summary>Query string of <c>GET /api/v1/customers/{customerId}/contacts</c>.</summary>
/// <param name="Limit">Page size, 1 to 500 (default 50).</param>
/// <param name="Cursor">The nextCursor of the previous page.</param>
/// <param name="Sort">createdAt or name; prefix - for descending (default createdAt).</param>
/// <param name="IncludeTotal">Also count all matching contacts.</param>
/// <param name="IncludeArchived">Also list archived (deleted) contacts.</param>
internal sealed record ListContactsQuery(int? Limit, string? Cursor, string? Sort, bool? IncludeTotal, bool? IncludeArchived);

internal static class ContactEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var ofCustomer = api.MapGroup("/customers/{customerId:guid}/contacts").WithTags("Contacts");

        ofCustomer.MapPost("/", async Task<Created<ContactResponse>> (Guid customerId, CreateContactRequest request, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var created = await mediator.Send(request with { CustomerId = customerId }, ct);
                return response.CreatedWithETag($"/api/v1/contacts/{created.Contact.Id}", created.Contact, created.Version);
            })
            .RequirePermission(Permissions.CustomersWrite)
            .ReturnsETag()
            .WithName("CreateContact")
            .WithSummary("Add a contact to a customer (honours Idempotency-Key)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);

        ofCustomer.MapGet("/", async Task<Ok<Page<ContactResponse>>> (Guid customerId, [AsParameters] ListContactsQuery query, IMediator mediator, CancellationToken ct) =>
            {
                var page = new PageRequest(query.Limit, query.Cursor, query.IncludeTotal ?? false);
                return TypedResults.Ok(await mediator.Send(new ListContactsRequest(customerId, page, query.Sort, query.IncludeArchived ?? false), ct));
            })
            .RequirePermission(Permissions.CustomersRead)
            .WithName("ListContacts")
            .WithSummary("List a customer's contacts (keyset pages)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        var contacts = api.MapGroup("/contacts").WithTags("Contacts");

        contacts.MapGet("/{id:guid}", async Task<Ok<ContactResponse>> (Guid id, IMediator mediator, HttpResponse response, CancellationToken ct) =>
                Versioned(response, await mediator.Send(new GetContactRequest(id), ct)))
            .RequirePermission(Permissions.CustomersRead)
            .ReturnsETag()
            .WithName("GetContact")
            .WithSummary("Get a contact with its consents")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        contacts.MapPatch("/{id:guid}", async Task<Ok<ContactResponse>> (Guid id, UpdateContactRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(request with { Id = id, IfMatch = IfMatch.From(http) }, ct)))
            .Accepts<UpdateContactRequest>("application/merge-patch+json", "application/json")
            .RequirePermission(Permissions.CustomersWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("UpdateContact")
            .WithSummary("Update a contact (JSON merge patch; honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed);

        contacts.MapDelete("/{id:guid}", async Task<Ok<ContactResponse>> (Guid id, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(new ArchiveContactRequest(id, IfMatch.From(http)), ct)))
            .RequirePermission(Permissions.CustomersWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("ArchiveContact")
            .WithSummary("Delete a contact: a soft delete that archives it (honours If-Match)")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status412PreconditionFailed);

        contacts.MapPost("/{id:guid}/consents", async Task<Ok<ContactResponse>> (Guid id, ChangeConsentRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(request with { ContactId = id, IfMatch = IfMatch.From(http) }, ct)))
            .RequirePermission(Permissions.CustomersWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("ChangeContactConsent")
            .WithSummary("Record a consent change on one channel (granted, optedOut, unknown); an opt-out is lifted only by a grant")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity);

        contacts.MapGet("/{id:guid}/consents", async Task<Ok<IReadOnlyList<ConsentChangeResponse>>> (Guid id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListConsentChangesRequest(id), ct)))
            .RequirePermission(Permissions.CustomersRead)
            .WithName("ListContactConsentChanges")
            .WithSummary("The history of a contact's consent changes, newest first")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);
    }

    private static Ok<ContactResponse> Versioned(HttpResponse response, VersionedContact contact) => response.OkWithETag(contact.Contact, contact.Version);
}
