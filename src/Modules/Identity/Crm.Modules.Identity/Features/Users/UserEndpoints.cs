using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Crm.Modules.Identity.Features.Users;

/// <summary>Query string of <c>GET /api/v1/users</c>.</summary>
/// <param name="Limit">Page size, 1 to 500 (default 50).</param>
/// <param name="Cursor">The nextCursor of the previous page.</param>
/// <param name="Sort">name, email or createdAt; prefix - for descending.</param>
/// <param name="IncludeTotal">Also count all matching users.</param>
/// <param name="Q">Part of the name or email.</param>
/// <param name="TeamId">Only members of this team.</param>
/// <param name="Role">Only holders of this role.</param>
/// <param name="Active">Only active (true) or deactivated (false) users.</param>
internal sealed record ListUsersQuery(int? Limit, string? Cursor, string? Sort, bool? IncludeTotal, string? Q, Guid? TeamId, string? Role, bool? Active);

internal static class UserEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var users = api.MapGroup("/users").WithTags("Users");

        users.MapGet("/", async Task<Ok<Page<UserResponse>>> ([AsParameters] ListUsersQuery query, IMediator mediator, CancellationToken ct) =>
            {
                if (query.Role is { } role && !Roles.All.Contains(role))
                {
                    throw Crm.SharedKernel.Errors.ValidationFailedException.For("role", $"Unknown role '{role}'. Roles: {string.Join(", ", Roles.All)}.");
                }

                var page = new PageRequest(query.Limit, query.Cursor, query.IncludeTotal ?? false);
                return TypedResults.Ok(await mediator.Send(new ListUsersRequest(page, query.Sort, query.Q, query.TeamId, query.Role, query.Active), ct));
            })
            .RequirePermission(Permissions.UsersRead)
            .WithName("ListUsers")
            .WithSummary("List users")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);

        users.MapGet("/{id:guid}", async Task<Ok<UserResponse>> (Guid id, IMediator mediator, HttpResponse response, CancellationToken ct) =>
                Versioned(response, await mediator.Send(new GetUserRequest(id), ct)))
            .RequirePermission(Permissions.UsersRead)
            .ReturnsETag()
            .WithName("GetUser")
            .WithSummary("Get a user")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        users.MapPost("/", async Task<Created<UserResponse>> (CreateUserRequest request, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var created = await mediator.Send(request, ct);
                return response.CreatedWithETag($"/api/v1/users/{created.User.Id}", created.User, created.Version);
            })
            .RequirePermission(Permissions.UsersWrite)
            .ReturnsETag()
            .WithName("CreateUser")
            .WithSummary("Create a user")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity);

        users.MapPatch("/{id:guid}", async Task<Ok<UserResponse>> (Guid id, UpdateUserRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(request with { Id = id, IfMatch = IfMatch.From(http) }, ct)))
            .Accepts<UpdateUserRequest>("application/merge-patch+json", "application/json")
            .RequirePermission(Permissions.UsersWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("UpdateUser")
            .WithSummary("Update a user (JSON merge patch; honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity);

        users.MapPost("/{id:guid}/deactivate", async Task<Ok<UserResponse>> (Guid id, IMediator mediator, HttpResponse response, CancellationToken ct) =>
                Versioned(response, await mediator.Send(new ChangeUserStatusRequest(id, Active: false), ct)))
            .RequirePermission(Permissions.UsersWrite)
            .ReturnsETag()
            .WithName("DeactivateUser")
            .WithSummary("Deactivate a user: no more sign-in, every token revoked, records and history kept")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status422UnprocessableEntity);

        users.MapPost("/{id:guid}/reactivate", async Task<Ok<UserResponse>> (Guid id, IMediator mediator, HttpResponse response, CancellationToken ct) =>
                Versioned(response, await mediator.Send(new ChangeUserStatusRequest(id, Active: true), ct)))
            .RequirePermission(Permissions.UsersWrite)
            .ReturnsETag()
            .WithName("ReactivateUser")
            .WithSummary("Reactivate a deactivated user")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        users.MapPost("/{id:guid}/password", async Task<NoContent> (Guid id, SetPasswordRequest request, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(request with { UserId = id, RequireCurrentPassword = false }, ct);
                return TypedResults.NoContent();
            })
            .RequirePermission(Permissions.UsersWrite)
            .WithName("ResetUserPassword")
            .WithSummary("Set a user's password (administrators); signs the user out everywhere")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);
    }

    private static Ok<UserResponse> Versioned(HttpResponse response, VersionedUser user) => response.OkWithETag(user.User, user.Version);
}
