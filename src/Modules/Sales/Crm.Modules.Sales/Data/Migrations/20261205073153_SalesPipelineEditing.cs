using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Modules.Sales.Data.Migrations
{
    /// <inheritdoc />
    public partial class SalesPipelineEditing : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "name_zh",
                schema: "sales",
                table: "pipelines",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "active",
                schema: "sales",
                table: "pipeline_stages",
                type: "boolean",
                nullable: false,
                defaultValue: true);

            migrationBuilder.AddColumn<string>(
                name: "name_zh",
                schema: "sales",
                table: "pipeline_stages",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.UpdateData(
                schema: "sales",
                table: "pipeline_stages",
                keyColumn: "id",
                keyValue: new Guid("01930000-0000-7000-8000-000000000101"),
                columns: new[] { "active", "name_zh" },
                values: new object[] { true, "初期联络" });

            migrationBuilder.UpdateData(
                schema: "sales",
                table: "pipeline_stages",
                keyColumn: "id",
                keyValue: new Guid("01930000-0000-7000-8000-000000000102"),
                columns: new[] { "active", "name_zh" },
                values: new object[] { true, "意向达成" });

            migrationBuilder.UpdateData(
                schema: "sales",
                table: "pipeline_stages",
                keyColumn: "id",
                keyValue: new Guid("01930000-0000-7000-8000-000000000103"),
                columns: new[] { "active", "name_zh" },
                values: new object[] { true, "商务谈判" });

            migrationBuilder.UpdateData(
                schema: "sales",
                table: "pipeline_stages",
                keyColumn: "id",
                keyValue: new Guid("01930000-0000-7000-8000-000000000104"),
                columns: new[] { "active", "name_zh" },
                values: new object[] { true, "合同签订" });

            migrationBuilder.UpdateData(
                schema: "sales",
                table: "pipeline_stages",
                keyColumn: "id",
                keyValue: new Guid("01930000-0000-7000-8000-000000000105"),
                columns: new[] { "active", "name_zh" },
                values: new object[] { true, "赢单" });

            migrationBuilder.UpdateData(
                schema: "sales",
                table: "pipeline_stages",
                keyColumn: "id",
                keyValue: new Guid("01930000-0000-7000-8000-000000000106"),
                columns: new[] { "active", "name_zh" },
                values: new object[] { true, "输单" });

            migrationBuilder.UpdateData(
                schema: "sales",
                table: "pipelines",
                keyColumn: "id",
                keyValue: new Guid("01930000-0000-7000-8000-000000000001"),
                column: "name_zh",
                value: "默认销售流程");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "name_zh",
                schema: "sales",
                table: "pipelines");

            migrationBuilder.DropColumn(
                name: "active",
                schema: "sales",
                table: "pipeline_stages");

            migrationBuilder.DropColumn(
                name: "name_zh",
                schema: "sales",
                table: "pipeline_stages");
        }
    }
}
