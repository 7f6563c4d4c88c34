import { describe, expect, it } from "vitest";
import { closest, closestName, didYouMean, didYouMeanName, editDistance } from "./suggest.js";

describe("did you mean", () => {
  it("measures edits", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("abc", "abc")).toBe(0);
  });

  it("suggests the closest allowed word for a plausible typo only", () => {
    expect(closest("nmae", ["name", "version", "path"])).toBe("name");
    expect(closest("enviroment", ["environment", "code"])).toBe("environment");
    expect(closest("x", ["id", "name"])).toBeUndefined();
    expect(closest("completely_different", ["name", "version"])).toBeUndefined();
  });

  it("completes a truncated word when only one allowed word fits", () => {
    expect(closest("mlflow", ["custom_model", "mlflow_model", "triton_model"])).toBe("mlflow_model");
    expect(closest("model", ["custom_model", "mlflow_model"])).toBeUndefined();
  });

  it("says nothing when the word is already right", () => {
    expect(didYouMean("name", ["name"])).toBeUndefined();
    expect(didYouMean("Name", ["name"])).toBe('did you mean "name"?');
  });

  it("finds the closest known name for the rules' hints: case only, a few edits, or the one that contains it", () => {
    expect(closestName("Training_Data", ["training_data", "test_data"])).toBe("training_data");
    expect(closestName("trian_data", ["train_data", "test_data"])).toBe("train_data");
    expect(closestName("model", ["model_output", "metrics"])).toBe("model_output");
    expect(closestName("completely", ["name", "version"])).toBeUndefined();
    expect(didYouMeanName("lr", ["lr", "epochs"])).toBe("");
    expect(didYouMeanName("epoch", ["lr", "epochs"])).toBe(" Did you mean epochs?");
  });
});
