using Crm.Modules.Customers.Domain;
using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Crm.Modules.Customers.Features.Privacy;

/// <summary>Personal-data (PIPL / GDPR) export and erase of an individual customer or a contact.</summary>
internal static class PrivacyEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var customers = api.MapGroup("/customers").WithTags("Personal data");
        var contacts = api.MapGroup("/contacts").WithTags("Personal data");

        customers.MapGet("/{id:guid}/personal-data", async Task<Ok<PersonalDataExport>> (Guid id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ExportPersonalDataRequest(ErasureSubject.Customer, id), ct)))
            .RequirePermission(Permissions.PrivacyExport)
            .WithName("ExportCustomerPersonalData")
            .WithSummary("Export everything held about an individual customer as one JSON document (administrators, and managers for their team subtree)")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status422UnprocessableEntity);

        contacts.MapGet("/{id:guid}/personal-data", async Task<Ok<PersonalDataExport>> (Guid id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ExportPersonalDataRequest(ErasureSubject.Contact, id), ct)))
            .RequirePermission(Permissions.PrivacyExport)
            .WithName("ExportContactPersonalData")
            .WithSummary("Export everything held about a contact as one JSON document (administrators, and managers for their team subtree)")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        customers.MapPost("/{id:guid}/erase", async Task<Ok<PersonalDataErasureResponse>> (Guid id, ErasePersonalDataRequest request, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(request with { Type = ErasureSubject.Customer, Id = id }, ct)))
            .RequirePermission(Permissions.PrivacyManage)
            .WithName("EraseCustomerPersonalData")
            .WithSummary("Erase (anonymise) an individual customer's personal data and its contacts'; idempotent (administrators)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status422UnprocessableEntity);

        contacts.MapPost("/{id:guid}/erase", async Task<Ok<PersonalDataErasureResponse>> (Guid id, ErasePersonalDataRequest request, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(request with { Type = ErasureSubject.Contact, Id = id }, ct)))
            .RequirePermission(Permissions.PrivacyManage)
            .WithName("EraseContactPersonalData")
            .WithSummary("Erase (anonymise) a contact's personal data; idempotent (administrators)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);
    }
}
