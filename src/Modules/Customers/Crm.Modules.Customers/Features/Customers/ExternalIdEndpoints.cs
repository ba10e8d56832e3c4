using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Crm.Modules.Customers.Features.Customers;

/// <summary><c>/api/v1/customers/by-external-id/{externalId}</c>: the ERP's view of the archive, keyed by its own ids.</summary>
internal static class ExternalIdEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var byExternalId = api.MapGroup("/customers/by-external-id").WithTags("Customers");

        byExternalId.MapGet("/{externalId}", async Task<Ok<CustomerResponse>> (string externalId, IMediator mediator, HttpContext http, CancellationToken ct) =>
            {
                var customer = await mediator.Send(new GetCustomerByExternalIdRequest(ExternalIdPath.Read(http, externalId)), ct);
                return http.Response.OkWithETag(customer.Customer, customer.Version);
            })
            .RequirePermission(Permissions.CustomersRead)
            .ReturnsETag()
            .WithName("GetCustomerByExternalId")
            .WithSummary("Get a customer by its external (ERP) id; percent-encode the id in the path")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        byExternalId.MapPut("/{externalId}", async Task<Results<Created<CustomerResponse>, Ok<CustomerResponse>>> (
                string externalId, CreateCustomerRequest request, IMediator mediator, HttpContext http, CancellationToken ct) =>
            {
                var upsert = new UpsertCustomerRequest(ExternalIdPath.Read(http, externalId), request, IfMatch.From(http.Request), IfNoneMatch.CreateOnly(http.Request));
                var result = await mediator.Send(upsert, ct);
                var customer = result.Customer;
                return result.Created
                    ? http.Response.CreatedWithETag($"/api/v1/customers/{customer.Customer.Id}", customer.Customer, customer.Version)
                    : http.Response.OkWithETag(customer.Customer, customer.Version);
            })
            .RequirePermission(Permissions.CustomersWrite)
            .HonoursIfMatch()
            .HonoursIfNoneMatchCreateOnly()
            .ReturnsETag()
            .WithName("UpsertCustomerByExternalId")
            .WithSummary("ERP upsert: create (201) or replace (200) the customer with this external id; honours If-Match and If-None-Match: *")
            .ProducesProblems(
                StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict,
                StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity);
    }
}
