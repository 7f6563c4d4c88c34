// Spark components (`sparkComponent.schema.json`): a Spark application (file or class entry) with its files.
import { z } from "zod";
import { ciEnum, evenWithIssues, openMapping } from "./common.js";
import { bothVariants, componentBase, componentOmissions, ignoredKeys } from "./component.js";
import { environmentField } from "./environment.js";
import { checkIoNames, componentIo } from "./io.js";

const fileList = z
  .array(z.string().min(1))
  .superRefine((items, ctx) => {
    items.forEach((item, i) => {
      if (items.indexOf(item) !== i) {
        ctx.addIssue({ code: "custom", path: [i], message: `"${item}" is listed twice`, params: { code: "schema-value" } });
      }
    });
  })
  .optional();

export const sparkComponentSchema = bothVariants((anonymous) =>
  z
    .strictObject({
      ...componentBase(anonymous),
      ...ignoredKeys("spark_component"),
      type: ciEnum(["spark"]),
      ...componentIo({ primitiveOutputs: false }),
      code: z.string().min(1).optional(),
      entry: z.union([z.strictObject({ file: z.string().min(1) }), z.strictObject({ class_name: z.string().min(1) })]),
      py_files: fileList,
      jars: fileList,
      files: fileList,
      archives: fileList,
      /** `spark.driver.cores`, `spark.executor.memory`, …: passed to Spark as written. */
      conf: openMapping.optional(),
      environment: environmentField.nullable().optional(),
      args: z.string().optional(),
    })
    .superRefine(checkIoNames, evenWithIssues)
    .transform(componentOmissions(anonymous, "spark_component")),
);
