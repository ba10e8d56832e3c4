using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Crm.Modules.Customers.Features.CustomFields;

internal static class CustomFieldEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        // {entity} is customers or contacts; anything else is 404.
        var fields = api.MapGroup("/custom-fields/{entity}").WithTags("Custom fields");

        fields.MapGet("/", async Task<Results<Ok<CustomFieldListResponse>, StatusCodeHttpResult>> (
                string entity, bool? includeInactive, IMediator mediator, HttpContext http, CancellationToken ct) =>
            {
                var list = await mediator.Send(new ListCustomFieldsRequest(CustomFieldEntities.Parse(entity), includeInactive ?? false), ct);
                return http.OkOrNotModified(list.List, list.ETag);
            })
            .RequirePermission(Permissions.CustomersRead)
            .ReturnsETag()
            .HonoursIfNoneMatch()
            .WithName("ListCustomFields")
            .WithSummary("List the custom field definitions of customers or contacts, in display order (includeInactive=true for all); the ETag covers the whole list, honours If-None-Match")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        fields.MapGet("/{key}", async Task<Ok<CustomFieldResponse>> (string entity, string key, IMediator mediator, HttpResponse response, CancellationToken ct) =>
                Versioned(response, await mediator.Send(new GetCustomFieldRequest(CustomFieldEntities.Parse(entity), key), ct)))
            .RequirePermission(Permissions.CustomersRead)
            .ReturnsETag()
            .WithName("GetCustomField")
            .WithSummary("Get a custom field definition")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        fields.MapPost("/", async Task<Created<CustomFieldResponse>> (string entity, CreateCustomFieldRequest request, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var parsed = CustomFieldEntities.Parse(entity);
                var created = await mediator.Send(request with { Entity = parsed }, ct);
                return response.CreatedWithETag($"/api/v1/custom-fields/{entity}/{created.Field.Key}", created.Field, created.Version);
            })
            .RequirePermission(Permissions.CustomFieldsManage)
            .ReturnsETag()
            .WithName("CreateCustomField")
            .WithSummary("Define a custom field of customers or contacts (administrators)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity);

        fields.MapPatch("/{key}", async Task<Ok<CustomFieldResponse>> (string entity, string key, UpdateCustomFieldRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(
                    request with { Entity = CustomFieldEntities.Parse(entity), Key = key, IfMatch = IfMatch.From(http) }, ct)))
            .Accepts<UpdateCustomFieldRequest>("application/merge-patch+json", "application/json")
            .RequirePermission(Permissions.CustomFieldsManage)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("UpdateCustomField")
            .WithSummary("Update a custom field definition (JSON merge patch; key and type are fixed; honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status412PreconditionFailed);

        fields.MapDelete("/{key}", async Task<Ok<CustomFieldResponse>> (string entity, string key, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(
                    new DeactivateCustomFieldRequest(CustomFieldEntities.Parse(entity), key, IfMatch.From(http)), ct)))
            .RequirePermission(Permissions.CustomFieldsManage)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("DeactivateCustomField")
            .WithSummary("Delete a custom field definition: deactivates it, keeping every stored value (honours If-Match)")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status412PreconditionFailed);
    }

    private static Ok<CustomFieldResponse> Versioned(HttpResponse response, VersionedCustomField field) => response.OkWithETag(field.Field, field.Version);
}
